"""The ``molxtal`` command line: option parsing only; the work is in ``molxtal.workflows``."""
