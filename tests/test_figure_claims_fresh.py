"""The fresh labelled figure claims of tests/data/figure_claims_fresh, written blind.

Same machinery and tables as tests/test_figure_claims.py, on a set the figure checker was never
tuned on: its score here is the honest one. The floors are the counts measured at the first run
of `check` on these claims, so that a change which loses a caught error, a verified claim or a
right suggestion fails here. Raise them when the checker gets better; never edit the claims to
make them pass.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from test_figure_claims import (
    CORRECT_CONSTRUCTIONS,
    WRONG_CONSTRUCTIONS,
    Verdict,
    assert_claim_well_formed,
    bib_files,
    check_claims,
    label_score,
    load_claims,
    suggestion_score,
)

DATA = Path(__file__).parent / "data" / "figure_claims_fresh"
CLAIMS = load_claims(DATA)

# Measured at the first run of check on this set (see the module docstring).
WRONG_CAUGHT_FLOOR = 74  # of 76
CORRECT_VERIFIED_FLOOR = 63  # of 75
RIGHT_SUGGESTION_FLOOR = 67  # of 76


@pytest.fixture(scope="module")
def fresh_verdicts(tmp_path_factory: pytest.TempPathFactory) -> list[Verdict]:
    """Check one brief holding every fresh claim, in a workspace of the set's sources and .bib."""
    return check_claims(tmp_path_factory.mktemp("figure-claims-fresh"), DATA, CLAIMS)


def test_fresh_claims_are_well_formed() -> None:
    """Enough claims, about half wrong, every construction, each pointing into its source."""
    files = bib_files(DATA)
    assert len(CLAIMS) >= 120
    assert len({c["id"] for c in CLAIMS}) == len(CLAIMS)
    labels = Counter(c["label"] for c in CLAIMS)
    assert 0.4 <= labels["wrong"] / len(CLAIMS) <= 0.6
    wrong = Counter(c["construction"] for c in CLAIMS if c["label"] == "wrong")
    assert set(wrong) == WRONG_CONSTRUCTIONS and min(wrong.values()) >= 8
    correct = Counter(c["construction"] for c in CLAIMS if c["label"] == "correct")
    assert set(correct) == CORRECT_CONSTRUCTIONS
    assert {c["split"] for c in CLAIMS} == {"fresh"}
    assert len({c["key"] for c in CLAIMS}) == len(files) == 8
    for claim in CLAIMS:
        assert_claim_well_formed(claim, DATA, files)


def test_fresh_claims_get_their_label(fresh_verdicts: list[Verdict]) -> None:
    """Correct claims verify and wrong claims are errors, at least as often as first measured."""
    score = label_score(fresh_verdicts)
    print("\n" + score.report)
    why = score.report + "\nfailed:\n" + "\n".join(score.failed)
    assert score.caught >= WRONG_CAUGHT_FLOOR, why
    assert score.verified >= CORRECT_VERIFIED_FLOOR, why


def test_fresh_wrong_claims_suggest_the_source_value(fresh_verdicts: list[Verdict]) -> None:
    """A suggestion on a wrong figure is the value the source gives, as often as first measured."""
    score = suggestion_score(fresh_verdicts)
    print("\n" + score.report)
    why = score.report + "\nfailed:\n" + "\n".join(score.failed)
    assert score.right >= RIGHT_SUGGESTION_FLOOR, why
