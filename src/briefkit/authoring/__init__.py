"""`briefkit new`: a new brief in the house form of its series.

Owns Jinja2 (a sandboxed environment with StrictUndefined).

Other layers import only the names in ``__all__``; each is loaded on first use.
"""

from typing import TYPE_CHECKING

__all__ = [
    "AuthorAnswer",
    "BriefRequest",
    "Scaffold",
    "brief_path",
    "check_new_path",
    "check_number",
    "check_title",
    "free_slug",
    "next_backup",
    "pair_authors",
    "parse_date",
    "plan_brief",
    "replaces_work",
    "slugify",
    "title_slug",
    "write_brief",
]

if TYPE_CHECKING:
    from .scaffold import (
        AuthorAnswer,
        BriefRequest,
        Scaffold,
        brief_path,
        check_new_path,
        check_number,
        check_title,
        free_slug,
        next_backup,
        pair_authors,
        parse_date,
        plan_brief,
        replaces_work,
        slugify,
        title_slug,
        write_brief,
    )
else:
    from .._lazy import exports

    __getattr__, __dir__ = exports(__name__, {
        "scaffold": ("AuthorAnswer", "BriefRequest", "Scaffold", "brief_path", "check_new_path",
                     "check_number", "check_title", "free_slug", "next_backup", "pair_authors",
                     "parse_date", "plan_brief", "replaces_work", "slugify", "title_slug",
                     "write_brief"),
    })
