"""``python -m briefkit`` runs the command line."""

from briefkit.cli import main

main()
