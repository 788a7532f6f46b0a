"""``stackskills detect``: print the stack as one JSON document or a readable table."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

from stackskills.active_sections import active_section_refs
from stackskills.detectors.detect import NotADirectory, detect
from stackskills.detectors.models import Stack
from stackskills.terminal import colour_enabled


def run_detect(
    path: str, output_format: str | None, *, use_cache: bool, skills_dirs: Sequence[str] = ()
) -> int:
    try:
        # a process of its own: forking scan workers is safe here (see ``detect``)
        stack = detect(path, use_cache=use_cache, workers=os.cpu_count() or 1)
    except NotADirectory as exc:
        print(f"stackskills: error: {exc}", file=sys.stderr)
        return 2
    stack.sections = active_section_refs(stack, skills_dirs, use_cache=use_cache)
    chosen = output_format or ("text" if sys.stdout.isatty() else "json")
    if chosen == "json":
        # indented on a terminal; compact for tools (the indenting encoder is pure Python
        # and costs more than a warm detection of a large tree)
        sys.stdout.write(stack.to_json(indent=2 if sys.stdout.isatty() else None) + "\n")
    else:
        text = render_text(stack)
        if colour_enabled(sys.stdout):
            # the table header bold: the first line that starts with it
            text = re.sub(r"^(FRAMEWORK .*)$", "\033[1m\\1\033[0m", text, count=1, flags=re.M)
        sys.stdout.write(text)
    return 0


def render_text(stack: Stack) -> str:
    """A table a person can read: what, which version, why."""
    lines = [f"Workspace  {stack.root}"]
    python = stack.python
    if python.target:
        first = python.evidence[0]
        where = f"{first.file}:{first.line}" if first.line else first.file
        lines.append(f"Python     {python.target}  ({first.kind} {first.detail} at {where})")
    else:
        lines.append("Python     unknown (no requires-python, classifiers or version files)")
    lines.extend(f"           conflict: {conflict}" for conflict in python.conflicts)
    lines.append("")
    if stack.frameworks:
        rows = [("FRAMEWORK", "VERSION", "DECLARED", "SCOPE", "EVIDENCE")]
        for framework in stack.frameworks:
            where = ""
            if framework.evidence:
                shown = framework.evidence[0]
                where = f"{shown.file}:{shown.line}" if shown.line else shown.file
                more = len(framework.evidence) - 1
                where += f" (+{more})" if more else ""
            rows.append(
                (
                    framework.name,
                    framework.version or "-",
                    framework.specifier or "-",
                    framework.scope,
                    where,
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = [row[i].ljust(widths[i]) for i in range(4)]
            lines.append("  ".join(cells) + "  " + row[4])
    else:
        lines.append("No frameworks or dependencies found.")
    if stack.sections:
        lines.append("")
        lines.append("Active sections: " + ", ".join(s.id for s in stack.sections))
    if stack.errors:
        lines.append("")
        lines.append(f"{len(stack.errors)} problem(s):")
        for error in stack.errors:
            where = f"{error.file}:{error.line}" if error.line else error.file
            lines.append(f"  {where}: {error.message}")
    return "\n".join(lines) + "\n"
