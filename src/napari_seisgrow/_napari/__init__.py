"""The npe2 hooks (reader, writer, sample data) and how volumes and labels look as napari layers."""
