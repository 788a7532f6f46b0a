"""What a loaded skill and its sections are: frozen records, free of pydantic, so that code
which only reads skills (activation, the cached catalog) never pays for validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import Version

from stackskills.skills.problems import SkillProblem
from stackskills.skills.requirements import AppliesTo, describe

if TYPE_CHECKING:
    from stackskills.skills.model import SkillFrontMatter


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


@dataclass
class SkillCatalog:
    skills: list[Skill] = field(default_factory=list)
    problems: list[SkillProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def versions(self, name: str) -> list[Skill]:
        """Every loaded version of ``name``, newest first."""
        found = [skill for skill in self.skills if skill.name == name]
        return sorted(found, key=lambda skill: Version(skill.version), reverse=True)

    def names(self) -> list[str]:
        return sorted({skill.name for skill in self.skills})

    def in_use(self) -> list[Skill]:
        """The newest version of each skill: the one activation and the server use."""
        return [self.versions(name)[0] for name in self.names()]

    def find(self, name: str, version: str | None = None) -> Skill | None:
        versions = self.versions(name)
        if version is None:
            return versions[0] if versions else None
        return next((skill for skill in versions if skill.version == version), None)
