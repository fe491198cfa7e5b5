"""``python -m ixempra_gui``: the desktop workstation (same as ``ixempra-gui``)."""

import sys

from ixempra_gui.app import main

if __name__ == "__main__":
    sys.exit(main())
