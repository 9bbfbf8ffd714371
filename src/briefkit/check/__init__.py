"""`briefkit check`: the bibliography, the corpus of sources and its cache, the check of
each brief against them, and every report format.

Owns bibtexparser (`bib`), the workspace cache (`cache`, SQLite and msgspec records) and
the report formats (`report`: text, JSON, GitHub, SARIF, JUnit XML).

Other layers import only the names in ``__all__``; each is loaded on first use.
"""

from typing import TYPE_CHECKING

__all__ = [
    "FORMATS",
    "Bibliography",
    "Store",
    "check_briefs",
    "format_report",
    "load_bibliography",
    "prepare_folder",
    "relocate",
    "step_summary",
]

if TYPE_CHECKING:
    from .bib import Bibliography, load_bibliography
    from .cache import Store, prepare_folder
    from .report import FORMATS, format_report, relocate, step_summary
    from .run import check_briefs
else:
    from .._lazy import exports

    __getattr__, __dir__ = exports(__name__, {
        "bib": ("Bibliography", "load_bibliography"),
        "cache": ("Store", "prepare_folder"),
        "report": ("FORMATS", "format_report", "relocate", "step_summary"),
        "run": ("check_briefs",),
    })
