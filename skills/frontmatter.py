"""Split a Markdown file into YAML front matter and body, and find the line of any key.

Line numbers are only needed when something is wrong, so the fast C loader reads the data and
the node graph (which knows where each key was written) is composed only on demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FENCE = "---"


class FrontMatterError(Exception):
    """The front matter is missing or is not valid YAML; ``line`` is 1-based in the file."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class MarkdownDocument:
    """A Markdown file cut at its front matter fences."""

    front_text: str
    data: dict[str, Any]
    body: str
    body_line: int
    """The 1-based file line on which the body starts."""

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The file line where the value at ``path`` (keys and list indexes) is written."""
        node = yaml.compose(self.front_text, Loader=_LOADER)
        line = 2 if node is None else node.start_mark.line + 2
        for step in path:
            child = _child(node, step)
            if child is None:
                break
            node, line = child
        return line


def _child(node: Any, step: str | int) -> tuple[Any, int] | None:
    if isinstance(node, yaml.MappingNode) and isinstance(step, str):
        for key, value in node.value:
            if key.value == step:
                return value, key.start_mark.line + 2
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        item = node.value[step]
        return item, item.start_mark.line + 2
    return None


def split_front_matter(text: str) -> MarkdownDocument:
    """Parse ``---``-fenced YAML at the top of ``text``; raises ``FrontMatterError``."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        raise FrontMatterError("no YAML front matter: the file must start with a '---' line", 1)
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            break
    else:
        raise FrontMatterError("front matter is not closed by a '---' line", 1)
    front_text = "".join(lines[1:index])
    try:
        data = yaml.load(front_text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(f"invalid YAML in front matter: {problem}", line) from None
    except (ValueError, RecursionError) as exc:
        # a workspace's own skill is untrusted: an integer of over 4,300 digits or deep
        # nesting must become a problem with a line, not a crash of detect or the server
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        raise FrontMatterError(f"invalid YAML in front matter: {why}", 2) from None
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be a mapping of fields", 2)
    body = "".join(lines[index + 1 :])
    return MarkdownDocument(front_text, data, body, index + 2)
