"""``python -m dashboard``: the data side without the UI (see ``dashboard.cli``)."""

from dashboard.cli import main

raise SystemExit(main())
