"""``python -m bot.sandboxes.instagram``: same as ``igbot sandbox instagram``."""

import sys

from bot.sandboxes.instagram.cli import main

if __name__ == "__main__":
    sys.exit(main())
