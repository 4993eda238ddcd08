"""``python -m model.cli``: the same as the ``jointvillage`` command."""

from model.cli import main

main()
