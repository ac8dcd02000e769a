"""``python -m baclovoice``: the same command line as the ``baclovoice`` script."""

from baclovoice.cli import main

main()
