"""What a review produces: findings that point at code and at the section that explains the fix,
and errors for inputs that could not be read or parsed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

SCHEMA = "stackskills.review/1"


@dataclass(frozen=True, kw_only=True)
class Finding:
    file: str
    line: int
    column: int
    """1-based, like the line."""
    end_line: int
    end_column: int
    rule: str
    section: str
    severity: Severity
    message: str
    fix: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReviewError:
    file: str
    line: int | None = None
    column: int | None = None
    message: str


@dataclass(kw_only=True)
class ReviewResult:
    python: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[ReviewError] = field(default_factory=list)
    schema: str = SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "python": self.python,
            "findings": [asdict(finding) for finding in self.findings],
            "errors": [asdict(error) for error in self.errors],
        }

    def extend(self, other: ReviewResult) -> None:
        self.findings.extend(other.findings)
        self.errors.extend(other.errors)
