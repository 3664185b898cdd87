"""``python -m molxtal`` runs the command line."""

from molxtal.cli.app import main

main()
