"""Bytecode for the timed processes, as an installed package has it.

``pip install`` compiles a package's modules to bytecode, so an installed briefkit does not
compile its sources at start-up. A source checkout run with ``PYTHONDONTWRITEBYTECODE=1``
compiles every module on every run (about 0.06 s for briefkit), which would be timed as if it
were briefkit's own work. The benchmarks therefore let the child processes write bytecode into a
scratch folder (never into the repository) and time them after a warm-up run.
"""

from __future__ import annotations

import os
from pathlib import Path


def use_bytecode_cache(folder: Path) -> None:
    """Make child processes read and write bytecode under ``folder``."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)
