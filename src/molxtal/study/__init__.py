"""The thesis study as cached steps: ``molxtal reproduce`` and its report."""
