"""Everything that imports Qt or napari lives here."""
