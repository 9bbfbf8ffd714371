"""The workspace cache on disk: pickled values that only save time.

Reading a missing, stale or damaged entry gives None (the caller rebuilds it); writing goes through
a temporary file renamed into place, and a folder that cannot be written means working without a
cache, never an error.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path


def load(path: Path) -> object:
    """The value stored at ``path``, or None when there is no usable entry."""
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError,
            ImportError, IndexError):
        return None


def store(path: Path, value: object) -> None:
    """Store ``value`` at ``path``; a failure to write is ignored."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
