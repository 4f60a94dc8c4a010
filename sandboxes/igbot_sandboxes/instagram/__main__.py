"""``python -m igbot_sandboxes.instagram``: same as ``igbot sandbox instagram``."""

import sys

from igbot_sandboxes.instagram.cli import main

if __name__ == "__main__":
    sys.exit(main())
