"""The one exception type that the CLI turns into a one-line error message."""


class MolxtalError(Exception):
    """A problem with the user's input or environment, explained in one line.

    The CLI prints ``Error: <message>`` and exits with status 2, without a traceback.
    """


class NotConvergedError(MolxtalError):
    """An iterative calculation (optimisation, SCF, ...) did not reach its threshold."""
