"""``file:line:col: CODE message [section]`` with the fix beneath: readable in a terminal and
clickable in editors that understand the ``file:line:col`` prefix."""

from __future__ import annotations

from stackskills.review.findings import ReviewResult


def render_text(result: ReviewResult) -> str:
    lines = []
    for finding in result.findings:
        lines.append(
            f"{finding.file}:{finding.line}:{finding.column}: {finding.rule} "
            f"{finding.message} [{finding.section}]"
        )
        if finding.fix:
            lines.append(f"    fix: {finding.fix}")
    for error in result.errors:
        where = error.file
        if error.line is not None:
            where += f":{error.line}"
            if error.column is not None:
                where += f":{error.column}"
        lines.append(f"{where}: error: {error.message}")
    count = len(result.findings)
    if count or result.errors:
        summary = f"{count} finding{'s' if count != 1 else ''}"
        if result.errors:
            summary += f", {len(result.errors)} file(s) not reviewed"
        lines.append(f"{summary} (Python {result.python})")
    return "\n".join(lines) + ("\n" if lines else "")
