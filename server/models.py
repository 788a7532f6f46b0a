"""The tools' results as pydantic models: clients get them as ``outputSchema`` and
``structuredContent``, so an application can use a result without parsing text."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from stackskills.detectors.models import DetectionError, Framework, Project, PythonTarget


class ActiveSectionInfo(BaseModel):
    id: str
    skill: str
    version: str
    title: str
    reason: str = Field(description="Which detected framework or Python version made it apply.")
    variant: str | None = Field(description="The version-specific variant chosen, if any.")
    uri: str = Field(description="skill:// resource with the section's full text.")


class DetectedWorkspace(BaseModel):
    root: str
    python: PythonTarget = Field(description="Lowest Python the workspace supports, and why.")
    frameworks: list[Framework] = Field(
        description="Distributions in use, with version, scope and the evidence (file:line)."
    )
    projects: list[Project] = Field(description="Sub-projects (folders with their own manifest).")
    sections: list[ActiveSectionInfo] = Field(description="Guidance sections active here.")
    errors: list[DetectionError] = Field(description="Files that could not be read or parsed.")


class DetectStackResult(BaseModel):
    workspaces: list[DetectedWorkspace]


class GuidanceSection(BaseModel):
    id: str
    skill: str
    version: str
    title: str
    uri: str
    active: bool = Field(description="True when the section applies to this workspace.")
    reason: str = Field(description="Why it applies, or what it applies to when it does not.")
    variant: str | None
    tokens: int = Field(description="Estimated size of text.")
    text: str = Field(description="The guidance, rendered for the workspace's versions.")


class LeftOutSection(BaseModel):
    id: str
    title: str
    uri: str
    tokens: int


class GuidanceResult(BaseModel):
    selected_by: Literal["topic", "frameworks", "section_ids", "active"]
    sections: list[GuidanceSection]
    left_out: list[LeftOutSection] = Field(
        description="Matching sections that did not fit in budget_tokens; read them by uri."
    )
    tokens: int
    budget_tokens: int


class ReviewFinding(BaseModel):
    file: str
    line: int
    column: int = Field(description="1-based.")
    end_line: int
    end_column: int
    rule: str = Field(description="Rule code, e.g. SKS101; '# noqa: SKS101' silences a line.")
    severity: Literal["error", "warning", "info"]
    message: str
    fix: str | None = Field(description="How to fix it, when the rule knows.")
    section: str = Field(description="Id of the guidance section that explains the fix.")
    section_uri: str


class ReviewProblem(BaseModel):
    file: str
    line: int | None
    column: int | None
    message: str


class ReviewOutput(BaseModel):
    python: str = Field(description="The Python version the code was judged against.")
    frameworks: list[str] = Field(description="Frameworks the code was judged against.")
    findings: list[ReviewFinding]
    errors: list[ReviewProblem] = Field(description="Input that could not be read or parsed.")


class SectionListing(BaseModel):
    id: str
    skill: str
    version: str
    title: str
    summary: str
    applies_to: str = Field(description="Requirements, e.g. 'django>=4.2' or 'python>=3.11'.")
    tags: list[str]
    rules: list[str] = Field(description="Review rule codes that enforce this section.")
    priority: int = Field(description="0-100, higher is more important.")
    active: bool
    reason: str | None = Field(description="Why it applies here, when active.")
    variant: str | None
    uri: str


class ListSectionsResult(BaseModel):
    sections: list[SectionListing]
