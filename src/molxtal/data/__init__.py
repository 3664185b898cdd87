"""Reference data: local directories (``MOLXTAL_DATA``) or checksummed downloads."""

from molxtal.data.manifest import MANIFEST
from molxtal.data.store import cache_dir, data_file, dataset_status, fetch, use_data_dir

__all__ = ["MANIFEST", "cache_dir", "data_file", "dataset_status", "fetch", "use_data_dir"]
