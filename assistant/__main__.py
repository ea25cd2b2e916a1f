"""``python -m assistant``: the chat; see ``python -m assistant --help`` for the other commands."""

import sys

from .cli import main

sys.exit(main())
