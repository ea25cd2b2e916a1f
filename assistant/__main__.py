"""``python -m assistant``: the chat; see ``python -m assistant --help`` for the other commands."""

import sys

from assistant.app.cli import main

sys.exit(main())
