"""Whether a path a client names may be opened: one function decides, for every tool.

A client (or a prompt-injected model) can name any path; the server reads only inside the
workspace roots. The path is refused before touching the disk when it is a URI, carries
percent-encoding or a ``..`` segment, and after resolving every symlink when it lands outside
all roots; the message says what to send instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from stackskills.detectors.source import Workspace

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
"""``file://...``, ``http:...``; a Windows drive (``C:``) has a one-letter scheme and passes."""

_ENCODED = re.compile(r"%(2e|2f|5c|25|00)", re.IGNORECASE)
"""Percent-encoded '.', '/', '\\', '%' and NUL: traversal in disguise; real names never need it."""


class PathRefused(ValueError):
    """The path is not inside the roots (or not a plain path); ``str()`` says what to do."""


def resolve_in_roots(raw: str, roots: Sequence[Path]) -> Path:
    """The real path ``raw`` names inside one of ``roots``; raises ``PathRefused`` otherwise.

    A relative path is taken from the first root; an absolute one must be inside a root. The
    result has every symlink resolved, so what is checked is what gets opened.
    """
    if not roots:
        raise PathRefused("no workspace root is known, so no file can be read")
    text = raw.strip()
    hint = (
        f"give a path relative to {roots[0]} (e.g. 'app/models.py') or an absolute path inside it"
    )
    if not text:
        raise PathRefused(f"the path is empty; {hint}")
    if "\x00" in text:
        raise PathRefused(f"the path contains a NUL character; {hint}")
    if _URI.match(text) and not re.match(r"^[A-Za-z]:[\\/]", text):
        raise PathRefused(f"{raw!r} is a URI, not a path; {hint}")
    if _ENCODED.search(text):
        raise PathRefused(f"{raw!r} contains percent-encoding; send the plain path; {hint}")
    if ".." in re.split(r"[\\/]", text):
        raise PathRefused(f"{raw!r} contains '..'; paths must stay inside the workspace; {hint}")
    given = Path(text)
    candidate = given if given.is_absolute() else roots[0] / given
    if not os.path.lexists(candidate):
        raise FileNotFoundError(f"{raw!r}: no such file in the workspace ({candidate})")
    for root in roots:
        workspace = Workspace.at(root)
        if workspace.contains(candidate):
            return Path(os.path.realpath(candidate))
    lexically_inside = any(
        Path(os.path.abspath(candidate)).is_relative_to(Path(os.path.abspath(root)))
        for root in roots
    )
    if lexically_inside:
        target = os.path.realpath(candidate)
        raise PathRefused(
            f"{raw!r} is a symlink (or inside one) that leads to {target}, outside the "
            f"workspace roots; only files inside the roots are read"
        )
    shown = ", ".join(str(root) for root in roots)
    raise PathRefused(f"{raw!r} is outside the workspace roots ({shown}); {hint}")
