"""Judging claims against a source text: the quotation grammar and matcher, figures and
their comparison, the alignment of a claim with the passage that supports it, and the
comparison key (with its offset map back to the original text) that all of them match on.

Pure computation: no files, no workspace. Owns rapidfuzz and the stemmers (snowballstemmer,
PyStemmer).

Other layers import only the names in ``__all__``; each is loaded on first use.
"""

from typing import TYPE_CHECKING

__all__ = [
    "MODEL_VERSION",
    "ClaimResult",
    "Figure",
    "FigureJudgement",
    "Normalized",
    "OffsetMap",
    "QuoteMatch",
    "SourceModel",
    "extract_figures",
    "is_attribution_worthy",
    "judge_claim",
    "match_quote",
    "normalize",
]

if TYPE_CHECKING:
    from .align import MODEL_VERSION, ClaimResult, FigureJudgement, SourceModel, judge_claim
    from .figures import Figure, extract_figures, is_attribution_worthy
    from .normalize import Normalized, OffsetMap, normalize
    from .quotes import QuoteMatch, match_quote
else:
    from .._lazy import exports

    __getattr__, __dir__ = exports(__name__, {
        "align": ("MODEL_VERSION", "ClaimResult", "FigureJudgement", "SourceModel", "judge_claim"),
        "figures": ("Figure", "extract_figures", "is_attribution_worthy"),
        "normalize": ("Normalized", "OffsetMap", "normalize"),
        "quotes": ("QuoteMatch", "match_quote"),
    })
