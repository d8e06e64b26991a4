"""``python -m napari_seisgrow.cli``: the same as the ``seisgrow`` command."""

import sys

from . import main

sys.exit(main())
