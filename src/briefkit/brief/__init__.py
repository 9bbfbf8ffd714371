"""Reading a brief: its front matter, its citations, notes, quotations and sentences as
pandoc reads them, and the series a brief belongs to.

`source` is the one place a brief file is read and decoded. Owns PyYAML and the front-matter
schema (msgspec). The series live here, beside the brief, because both the check (series
numbering) and publishing (volumes, series blurbs) read them.

Other layers import only the names in ``__all__``; each is loaded on first use.
"""

from typing import TYPE_CHECKING

__all__ = [
    "Brief",
    "BriefSource",
    "Citation",
    "Problem",
    "Quotation",
    "Sentence",
    "Series",
    "SeriesCheck",
    "briefs_in_series",
    "dump_front_matter",
    "get_series",
    "load_all_series",
    "markup_problem",
    "meta_date",
    "next_number",
    "ordinal_word",
    "read_brief",
    "read_brief_source",
    "require_distinct_numbers",
    "require_sound_brief",
    "series_blurb",
    "series_listing",
    "split_front_matter",
]

if TYPE_CHECKING:
    from .document import Brief, Citation, Problem, Quotation, Sentence, markup_problem, read_brief
    from .frontmatter import dump_front_matter, meta_date, split_front_matter
    from .series import (
        Series,
        SeriesCheck,
        briefs_in_series,
        get_series,
        load_all_series,
        next_number,
        ordinal_word,
        require_distinct_numbers,
        require_sound_brief,
        series_blurb,
        series_listing,
    )
    from .source import BriefSource, read_brief_source
else:
    from .._lazy import exports

    __getattr__, __dir__ = exports(__name__, {
        "document": ("Brief", "Citation", "Problem", "Quotation", "Sentence", "markup_problem",
                     "read_brief"),
        "frontmatter": ("dump_front_matter", "meta_date", "split_front_matter"),
        "series": ("Series", "SeriesCheck", "briefs_in_series", "get_series", "load_all_series",
                   "next_number", "ordinal_word", "require_distinct_numbers",
                   "require_sound_brief", "series_blurb", "series_listing"),
        "source": ("BriefSource", "read_brief_source"),
    })
