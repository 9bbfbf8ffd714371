"""Names a package exports from its modules, each module imported on the first use of one name.

A package's ``__init__`` lists what other layers may use; importing the package must not import
the modules behind it, so that ``briefkit --help`` and ``briefkit check`` load only what they run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence


def exports(package: str, owners: Mapping[str, Sequence[str]]
            ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose ``owners`` map a module to its names.

    A module is named relative to ``package`` (``"run"`` for ``package.run``). A name not listed
    raises AttributeError, as a missing attribute does, so that submodules still import normally.
    """
    owner = {name: module for module, names in owners.items() for name in names}

    def __getattr__(name: str) -> object:
        module = owner.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    def __dir__() -> list[str]:
        return sorted(owner)

    return __getattr__, __dir__
