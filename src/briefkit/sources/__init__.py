"""Reading source documents (.txt, .md, .html, .pdf) into plain text with their notes.

Owns pypdf (PDF sources); HTML is read with lxml and Markdown through `briefkit.pandoc`.

Other layers import only the names in ``__all__``; each is loaded on first use.
"""

from typing import TYPE_CHECKING

__all__ = [
    "SourceText",
    "read_source",
]

if TYPE_CHECKING:
    from .read import SourceText, read_source
else:
    from .._lazy import exports

    __getattr__, __dir__ = exports(__name__, {
        "read": ("SourceText", "read_source"),
    })
