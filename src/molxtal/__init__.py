"""molxtal: properties of molecular crystals with machine-learning interatomic potentials."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("molxtal")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from molxtal.errors import MolxtalError  # noqa: E402

__all__ = ["MolxtalError", "__version__"]
