"""Typst: the one module that uses it, compiling typst source to PDF (or PNG) in-process.

The compiler sees only the workspace (its root), uses only the fonts typst itself embeds (system
fonts are ignored, so a PDF is the same on every machine), and stamps the PDF with a given
creation time, so the same source and time give the same bytes. Typst's warnings are returned;
its errors raise `ToolError` with typst's own message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..errors import ToolError

EMBEDDED_FONTS = ("Libertinus Serif", "New Computer Modern", "DejaVu Sans Mono")


@dataclass(frozen=True)
class Compiled:
    """Typst's output (PDF bytes, or one PNG per page) and its warnings."""

    pages: tuple[bytes, ...]
    warnings: tuple[str, ...] = ()

    @property
    def pdf(self) -> bytes:
        """The PDF document (a PDF compile has exactly one part)."""
        return self.pages[0]


def compile_pdf(source: str, *, root: Path, timestamp: dt.datetime) -> Compiled:
    """Compile typst ``source`` to PDF with ``root`` as the only readable folder.

    ``timestamp`` (timezone-aware) is the document's creation time, which makes output
    reproducible. Raises `ToolError` when typst reports an error.
    """
    return _compile(source, root=root, timestamp=timestamp)


def compile_png(source: str, *, root: Path, ppi: float = 144) -> Compiled:
    """Compile typst ``source`` to one PNG image per page (for looking at a layout)."""
    return _compile(source, root=root, ppi=ppi)


def _compile(
    source: str, *, root: Path, timestamp: dt.datetime | None = None, ppi: float | None = None
) -> Compiled:
    import typst

    fmt: Literal["pdf", "png"] = "png" if ppi else "pdf"
    try:
        compiler = typst.Compiler(source.encode("utf-8"), root=str(root), ignore_system_fonts=True)
        output, warnings = compiler.compile_with_warnings(format=fmt, ppi=ppi, timestamp=timestamp)
    except typst.TypstError as exc:
        raise ToolError("typst", _describe(exc)) from exc
    except (RuntimeError, OSError, ValueError) as exc:  # typst-py raises these for bad arguments
        raise ToolError("typst", str(exc)) from exc
    pages = tuple(output) if isinstance(output, list) else (bytes(output or b""),)
    return Compiled(pages, tuple(_describe(warning) for warning in warnings))


def _describe(problem: Any) -> str:
    """Typst's message with its hints, as one line."""
    message = str(getattr(problem, "message", "") or problem).strip()
    hints = [str(hint).strip() for hint in getattr(problem, "hints", None) or []]
    return "; ".join([message, *(f"hint: {hint}" for hint in hints if hint)])
