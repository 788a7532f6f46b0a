"""Every check a skill folder must pass, reported as ``file:line: message``.

Loading already rejects what would make a skill unusable; this adds what makes it wrong: an
example that does not parse on the Python its gate allows, a bad example with no good one, a
link to nowhere, a variant declared but never written.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from stackskills.detectors.source import within_root
from stackskills.skills.loader import SKILL_FILE, SkillLoad, load_skill
from stackskills.skills.markdown import Example, Link, parse_body
from stackskills.skills.model import Section, Skill
from stackskills.skills.problems import SkillProblem
from stackskills.skills.python_floor import lowest_python

ShowPath = Callable[[Path], str]


def skill_folders(path: Path) -> list[Path]:
    """``path`` itself when it holds ``SKILL.md``, else its sub-folders that do."""
    if (path / SKILL_FILE).is_file():
        return [path]
    try:
        return sorted(child for child in path.iterdir() if (child / SKILL_FILE).is_file())
    except OSError:
        return []


def validate_path(path: Path) -> list[SkillProblem]:
    """Validate a skill folder or a folder of skills."""
    if not path.is_dir():
        return [SkillProblem(file=str(path), message="not a folder")]
    folders = skill_folders(path)
    if not folders:
        return [SkillProblem(file=str(path), message=f"no {SKILL_FILE} here or in its folders")]
    shown_root = path.parent if folders == [path] else path
    problems: list[SkillProblem] = []
    seen: dict[str, str] = {}
    for folder in folders:
        load = load_skill(folder, source=str(path), shown_root=shown_root)
        problems.extend(load.problems)
        if load.skill is None:
            continue
        where = (folder / SKILL_FILE).relative_to(shown_root).as_posix()
        if load.skill.key in seen:
            problems.append(
                SkillProblem(
                    file=where,
                    line=None,
                    message=f"{load.skill.key} is also in {seen[load.skill.key]}",
                )
            )
        seen.setdefault(load.skill.key, where)
        problems.extend(check_skill(load, shown_root))
    return problems


def check_skill(load: SkillLoad, shown_root: Path) -> list[SkillProblem]:
    skill = load.skill
    assert skill is not None
    problems: list[SkillProblem] = []

    def shown(path: Path) -> str:
        return path.relative_to(shown_root).as_posix()

    overview_file = skill.path / SKILL_FILE
    overview = parse_body(skill.overview, skill.overview_line)
    linked = set()
    for link in overview.links:
        target = _resolve(skill.path, link.target)
        if target is not None:
            linked.add(target)
    problems.extend(_link_problems(skill, overview_file, overview.links, shown))
    for section in skill.sections:
        problems.extend(check_section(skill, section, shown))
        if section.path.resolve() not in linked:
            problems.append(
                SkillProblem(
                    file=shown(overview_file),
                    message=f"section {section.id!r} is not linked from {SKILL_FILE}",
                )
            )
    return problems


def check_section(skill: Skill, section: Section, shown: ShowPath) -> list[SkillProblem]:
    where = shown(section.path)
    parsed = parse_body(section.body, section.body_line)
    problems = [SkillProblem(file=where, line=p.line, message=p.message) for p in parsed.problems]
    declared = {variant.name for variant in section.variants}
    for name, line in parsed.variant_lines.items():
        if name not in declared:
            problems.append(
                SkillProblem(file=where, line=line, message=f"variant {name!r} is not declared")
            )
    problems.extend(
        SkillProblem(file=where, message=f"variant {name!r} has no block in the body")
        for name in sorted(declared - parsed.variant_lines.keys())
    )
    problems.extend(_link_problems(skill, section.path, parsed.links, shown))
    problems.extend(_example_problems(section, parsed.examples, where))
    return problems


def _example_problems(section: Section, examples: list[Example], where: str) -> list[SkillProblem]:
    problems: list[SkillProblem] = []
    pending_bad: dict[str | None, Example] = {}
    variant_names = {variant.name for variant in section.variants}
    answered_in: set[str] = set()  # variants with a good example after the shared bad one
    for example in examples:
        gates = [section.applies_to]
        if example.variant is not None and example.variant in variant_names:
            gates.append(section.variant(example.variant).applies_to)
        minor = lowest_python(*gates)
        if minor is None:
            problems.append(
                SkillProblem(
                    file=where,
                    line=example.line,
                    message="no Python version fits this example's gate",
                )
            )
        elif minor <= sys.version_info.minor:
            # ast cannot read syntax newer than the running Python; the test suite checks
            # those examples with ruff's parser at their target version instead.
            problem = _parse_problem(example, minor, where)
            if problem is not None:
                problems.append(problem)
        if example.kind == "bad":
            if example.variant in pending_bad:
                problems.append(_lonely_bad(pending_bad[example.variant], where))
            pending_bad[example.variant] = example
            if example.variant is None:
                answered_in.clear()
        elif example.kind == "good":
            pending_bad.pop(example.variant, None)
            if example.variant is not None:
                # a shared bad example is answered by a good one in every variant
                answered_in.add(example.variant)
                if variant_names and answered_in >= variant_names:
                    pending_bad.pop(None, None)
    problems.extend(_lonely_bad(example, where) for example in pending_bad.values())
    return sorted(problems, key=lambda problem: problem.line or 0)


def _lonely_bad(example: Example, where: str) -> SkillProblem:
    return SkillProblem(
        file=where, line=example.line, message="bad example has no good counterpart after it"
    )


def _parse_problem(example: Example, minor: int, where: str) -> SkillProblem | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(example.code, feature_version=(3, minor))
    except SyntaxError as exc:
        line = example.line + (exc.lineno or 1)
        return SkillProblem(
            file=where,
            line=line,
            message=f"example does not parse on Python 3.{minor}: {exc.msg}",
        )
    return None


def _resolve(base: Path, target: str) -> Path | None:
    if "://" in target or target.startswith(("#", "mailto:")):
        return None
    relative = target.split("#", 1)[0]
    if not relative:
        return None
    return (base / relative).resolve()


def _link_problems(
    skill: Skill, file: Path, links: list[Link], shown: ShowPath
) -> list[SkillProblem]:
    problems = []
    skill_root = skill.path.resolve()
    for link in links:
        target = _resolve(file.parent, link.target)
        if target is None:
            continue
        if not within_root(target, skill_root) or not target.is_file():
            problems.append(
                SkillProblem(
                    file=shown(file), line=link.line, message=f"broken link: {link.target}"
                )
            )
    return problems
