"""Front matter as pydantic validates it; the records built from it live in ``records``.

The front matter models reject unknown fields and bad values with messages that name the
field, so the validator can print them as ``file:line: message``.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from stackskills.skills.records import Section as Section
from stackskills.skills.records import Skill as Skill
from stackskills.skills.records import Variant as Variant

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
