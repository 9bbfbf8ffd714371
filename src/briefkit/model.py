"""Result types of the checker: frozen dataclasses, shared by `check` and every report format.

The JSON report (schema version 2) is a direct serialisation of `CheckReport`; see
`briefkit.check.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What a finding is about."""

    QUOTE = "quote"
    FIGURE = "figure"
    CITATION = "citation"
    ATTRIBUTION = "attribution"


class Status(StrEnum):
    """How a finding came out; ``error`` fails the check, ``warning`` fails it under --strict."""

    VERIFIED = "verified"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Span:
    """A 1-based, inclusive-start region of a file: line and column of the first and last character.

    ``end_column`` is the column just after the last character, as editors and SARIF count it.
    """

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class SourceRef:
    """Where in a source a claim was found (or nearly found)."""

    key: str
    path: str
    line: int
    excerpt: str


@dataclass(frozen=True)
class Finding:
    """One checked claim in a brief (a quote, a figure, a citation) and its outcome.

    ``rule`` is a stable identifier (for SARIF and fingerprints), e.g. ``quote-mismatch``.
    ``detail`` is an optional multi-line explanation (the word-level difference) for text output.
    ``passage`` is the source passage that the claim was aligned to (figures): the evidence for a
    verified figure, the passage that contradicts or fails to support a wrong one.
    """

    kind: Kind
    status: Status
    span: Span
    text: str
    keys: tuple[str, ...]
    message: str
    rule: str
    source: SourceRef | None = None
    suggestion: str | None = None
    detail: str | None = None
    passage: SourceRef | None = None


@dataclass(frozen=True)
class BriefReport:
    """The findings of one brief, in the order they occur in the file."""

    path: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class BibDiagnostic:
    """A problem in the bibliography itself (malformed entry, duplicate key, unused entry...)."""

    path: str
    line: int
    status: Status
    message: str
    rule: str
    key: str | None = None


@dataclass(frozen=True)
class Summary:
    """Counts over a whole report: findings by status, bibliography diagnostics included."""

    verified: int = 0
    warnings: int = 0
    errors: int = 0


@dataclass(frozen=True)
class CheckReport:
    """Everything one `briefkit check` run found."""

    briefs: tuple[BriefReport, ...] = ()
    bibliography: tuple[BibDiagnostic, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> Summary:
        """Count findings and bibliography diagnostics by status."""
        statuses = [f.status for brief in self.briefs for f in brief.findings]
        statuses += [d.status for d in self.bibliography]
        return Summary(
            verified=statuses.count(Status.VERIFIED),
            warnings=statuses.count(Status.WARNING),
            errors=statuses.count(Status.ERROR),
        )

    def failed(self, *, strict: bool = False) -> bool:
        """True when something is at error level (or, with ``strict``, at warning level)."""
        summary = self.summary
        return summary.errors > 0 or (strict and summary.warnings > 0)
