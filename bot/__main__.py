"""`python -m bot ...` is the same CLI as `igbot ...`."""

from bot.cli import main

raise SystemExit(main())
