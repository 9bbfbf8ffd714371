"""`briefkit render` and `briefkit volume`: a brief or a series through pandoc to PDF
(typst), DOCX (a house reference document) and HTML, checked first (`gate`), with the draft
marks.

Owns typst (`pdf`) and python-docx (`docx_reference`).

Other layers import only the names in ``__all__``; each is loaded on first use.
"""

from typing import TYPE_CHECKING

__all__ = [
    "formats_from",
    "render_brief",
    "render_volume",
    "validate_brief",
    "volume_briefs",
]

if TYPE_CHECKING:
    from .render import formats_from, render_brief, validate_brief
    from .volume import render_volume, volume_briefs
else:
    from .._lazy import exports

    __getattr__, __dir__ = exports(__name__, {
        "render": ("formats_from", "render_brief", "validate_brief"),
        "volume": ("render_volume", "volume_briefs"),
    })
