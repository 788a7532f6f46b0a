"""The parts of a section body that stackskills understands: variant blocks, examples, links.

One line-by-line pass that knows when it is inside a code fence, so a marker or a link written
inside an example is never taken for a real one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

VARIANT_OPEN = re.compile(r"^<!--\s*variant:\s*(\S+?)\s*-->\s*$")
VARIANT_CLOSE = re.compile(r"^<!--\s*/variant\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")

ExampleKind = Literal["good", "bad", "plain"]


@dataclass(frozen=True, kw_only=True)
class Example:
    kind: ExampleKind
    code: str
    line: int
    """File line of the opening fence."""
    variant: str | None


@dataclass(frozen=True, kw_only=True)
class Link:
    target: str
    line: int


@dataclass(frozen=True, kw_only=True)
class BodyProblem:
    line: int
    message: str


@dataclass(kw_only=True)
class ParsedBody:
    examples: list[Example] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    variant_lines: dict[str, int] = field(default_factory=dict)
    """Each variant block's name and the file line of its opening marker."""
    problems: list[BodyProblem] = field(default_factory=list)


def parse_body(body: str, first_line: int = 1) -> ParsedBody:
    """Find examples, links and variant blocks; ``first_line`` is the body's line in its file."""
    parsed = ParsedBody()
    variant: str | None = None
    fence: str | None = None
    example_kind: ExampleKind | None = None
    example_start = 0
    code: list[str] = []
    lineno = first_line - 1
    for lineno, line in enumerate(body.splitlines(), start=first_line):
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                if example_kind is not None:
                    parsed.examples.append(
                        Example(
                            kind=example_kind,
                            code="\n".join(code) + "\n",
                            line=example_start,
                            variant=variant,
                        )
                    )
                fence, example_kind, code = None, None, []
            elif example_kind is not None:
                code.append(line)
            continue
        opened = FENCE.match(line)
        if opened:
            fence = opened["fence"]
            example_kind = _example_kind(opened["info"].split())
            example_start = lineno
            continue
        if match := VARIANT_OPEN.match(line):
            if variant is not None:
                parsed.problems.append(
                    BodyProblem(line=lineno, message=f"variant block {variant!r} is not closed")
                )
            variant = match[1]
            if variant in parsed.variant_lines:
                parsed.problems.append(
                    BodyProblem(line=lineno, message=f"variant {variant!r} has two blocks")
                )
            parsed.variant_lines.setdefault(variant, lineno)
            continue
        if VARIANT_CLOSE.match(line):
            if variant is None:
                parsed.problems.append(
                    BodyProblem(line=lineno, message="'<!-- /variant -->' without an open block")
                )
            variant = None
            continue
        parsed.links.extend(Link(target=m[1], line=lineno) for m in LINK.finditer(line))
    if fence is not None:
        parsed.problems.append(BodyProblem(line=example_start, message="code fence is not closed"))
    if variant is not None:
        parsed.problems.append(
            BodyProblem(line=lineno, message=f"variant block {variant!r} is not closed")
        )
    return parsed


def _example_kind(info: list[str]) -> ExampleKind | None:
    if not info or info[0] not in {"python", "py"}:
        return None
    if "bad" in info[1:]:
        return "bad"
    if "good" in info[1:]:
        return "good"
    return "plain"


def render_variant(body: str, variant: str | None) -> str:
    """The body as one reader should see it: shared text plus the blocks of ``variant``.

    With ``variant=None`` every block is kept (the markers are dropped), which is how the raw
    file reads in any Markdown viewer. Blank lines left where blocks were removed are merged,
    outside code only (examples keep their formatting).
    """
    kept: list[str] = []
    current: str | None = None
    fence: str | None = None
    for line in body.splitlines():
        in_code = fence is not None
        if fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
        elif opened := FENCE.match(line):
            fence = opened["fence"]
        elif match := VARIANT_OPEN.match(line):
            current = match[1]
            continue
        elif VARIANT_CLOSE.match(line):
            current = None
            continue
        if current is not None and variant is not None and current != variant:
            continue
        if not in_code and not line.strip() and kept and not kept[-1].strip():
            continue
        kept.append(line)
    return "\n".join(kept).strip() + "\n"
