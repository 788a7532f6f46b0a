"""What a skill and a section are: front matter validated by pydantic, then frozen records.

The front matter models reject unknown fields and bad values with messages that name the
field, so the validator can print them as ``file:line: message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from stackskills.skills.requirements import AppliesTo, describe

SKILL_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTION_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)?$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
RULE_CODE = re.compile(r"^[A-Z]{2,5}\d{3}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG = re.compile(r"^[a-z0-9][a-z0-9_.+-]*$")
"""Lowercase search words; API names such as ``select_for_update`` are fine."""

RawAppliesTo = list[str | list[str]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SkillFrontMatter(_Strict):
    """``SKILL.md`` front matter: the Agent Skills fields plus ``version``."""

    name: str = Field(max_length=64, pattern=SKILL_NAME.pattern)
    description: str = Field(min_length=1, max_length=1024)
    version: str = Field(pattern=SEMVER.pattern)
    license: str = Field(min_length=1)
    compatibility: str | None = Field(default=None, max_length=500)
    metadata: dict[str, str] | None = None
    allowed_tools: str | None = Field(default=None, alias="allowed-tools")


class VariantFrontMatter(_Strict):
    name: str = Field(pattern=SLUG.pattern)
    applies_to: RawAppliesTo


class SectionFrontMatter(_Strict):
    """``sections/<id>.md`` front matter. Requirement strings in ``applies_to`` are checked
    by the loader, entry by entry, so each bad one is reported at its own line."""

    id: str = Field(pattern=SECTION_ID.pattern)
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field(min_length=1, max_length=300, pattern=r"^[^\n]*$")
    applies_to: RawAppliesTo
    variants: list[VariantFrontMatter] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    priority: int = Field(default=50, ge=0, le=100)
    rules: list[str] = Field(default_factory=list)

    @field_validator("rules")
    @classmethod
    def _rule_codes(cls, value: list[str]) -> list[str]:
        for code in value:
            if not RULE_CODE.match(code):
                raise ValueError(f"rule code {code!r} is not like 'SKS101'")
        return value

    @field_validator("tags")
    @classmethod
    def _tag_slugs(cls, value: list[str]) -> list[str]:
        for tag in value:
            if not TAG.match(tag):
                raise ValueError(f"tag {tag!r} must be one lowercase word")
        return value


@dataclass(frozen=True, kw_only=True)
class Variant:
    name: str
    applies_to: AppliesTo

    @property
    def gate_text(self) -> str:
        return describe(self.applies_to)


@dataclass(frozen=True, kw_only=True)
class Section:
    """One section of one skill version, ready to activate and serve."""

    id: str
    title: str
    summary: str
    applies_to: AppliesTo
    variants: tuple[Variant, ...]
    tags: tuple[str, ...]
    priority: int
    rules: tuple[str, ...]
    body: str
    """The Markdown body as written, variant blocks included."""
    path: Path
    body_line: int
    skill: str
    skill_version: str

    @property
    def area(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def gate_text(self) -> str:
        return describe(self.applies_to)

    def variant(self, name: str) -> Variant:
        return next(variant for variant in self.variants if variant.name == name)


@dataclass(frozen=True, kw_only=True)
class Skill:
    """One version of one skill: its metadata, overview and sections in file-name order."""

    name: str
    version: str
    description: str
    license: str
    overview: str
    overview_line: int
    """The line of ``SKILL.md`` on which the overview starts."""
    path: Path
    source: str
    """Where it was found: ``built-in``, ``workspace`` or the ``--skills-dir`` folder."""
    sections: tuple[Section, ...] = field(default_factory=tuple)
    front_matter: SkillFrontMatter | None = None

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def section(self, section_id: str) -> Section | None:
        return next((section for section in self.sections if section.id == section_id), None)
