"""Which folders the server serves, what their stacks are, and telling clients when that changes.

Roots come from the client (``roots/list``, asked only when it declares the roots capability in a
handshake-era session, the only era that has roots), else from ``--workspace``, else the current
directory. Detection runs after ``initialize``, on the first request that needs it, in a worker
thread so a cold detection of a large tree (seconds) never stalls the session, and it is
re-checked on later requests through detection's warm path (a few ``stat`` calls). When a
stack or the skill files change, clients hear ``notifications/resources/list_changed``,
``notifications/prompts/list_changed`` and, if subscribed, ``notifications/resources/updated``
for the stack resource.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import anyio
import anyio.to_thread
from mcp.server.context import ServerRequestContext
from mcp.server.subscriptions import SubscriptionBus
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.shared.subscriptions import PromptsListChanged, ResourcesListChanged, ResourceUpdated

from stackskills.detectors.models import Stack
from stackskills.server.clients import Clients, ClientState, log
from stackskills.skills.places import skill_file_stamps, skill_places

if TYPE_CHECKING:
    # Loading skills means pydantic and YAML: imported on the first request, not at start-up.
    from stackskills.skills.activation import ActiveSection
    from stackskills.skills.model import Section, Skill
    from stackskills.skills.sources import SkillCatalog

STACK_URI = "stackskills://workspace/stack"
WORKSPACE_SCHEMA = "stackskills.workspace/1"

RECHECK_SECONDS = 1.0
"""A root is re-checked at most this often: changes are noticed within a second, and a burst
of requests (a review loop) pays for one warm detection, not one each."""

ROOTS_TIMEOUT_SECONDS = 10.0
"""A client that declared roots but does not answer ``roots/list`` gets the defaults."""

HEARTBEAT_SECONDS = 0.5
"""How often a client that asked for progress hears about a detection still running."""


@dataclass(frozen=True)
class RootSnapshot:
    """One root's detection and a stamp that changes when its stack or skill files do."""

    root: Path
    stack: Stack
    stamp: str


@dataclass(frozen=True)
class WorkspaceView:
    """Everything one request needs: the roots' stacks, the skills, what is active and why."""

    roots: tuple[RootSnapshot, ...]
    catalog: SkillCatalog
    active_by_root: tuple[tuple[ActiveSection, ...], ...]
    fingerprint: str

    @property
    def primary(self) -> RootSnapshot:
        return self.roots[0]

    @property
    def root_paths(self) -> tuple[Path, ...]:
        return tuple(snapshot.root for snapshot in self.roots)

    @property
    def active(self) -> tuple[ActiveSection, ...]:
        """Sections active in any root; a section active in several appears once (first root)."""
        seen: dict[tuple[str, str], ActiveSection] = {}
        for active_sections in self.active_by_root:
            for active in active_sections:
                seen.setdefault((active.section.skill, active.id), active)
        return tuple(seen.values())

    def active_for(self, section: Section) -> ActiveSection | None:
        """How ``section`` applies here, if it is active in the version in use."""
        in_use = self.catalog.find(section.skill)
        if in_use is None or in_use.version != section.skill_version:
            return None
        return next(
            (
                active
                for active in self.active
                if active.section.skill == section.skill and active.id == section.id
            ),
            None,
        )

    def skills_in_use(self) -> list[Skill]:
        return self.catalog.in_use()

    def sections_in_use(self) -> list[Section]:
        return [section for skill in self.catalog.in_use() for section in skill.sections]

    def stack_document(self) -> dict[str, Any]:
        """The ``stackskills.workspace/1`` document: each root's ``stackskills.detect/1``
        document with its active sections, why each applies, and where to read it."""
        documents = []
        for snapshot, active_sections in zip(self.roots, self.active_by_root, strict=True):
            document = snapshot.stack.to_dict()
            document["sections"] = [
                {
                    **active.ref().__dict__,
                    "title": active.section.title,
                    "variant": None if active.variant is None else active.variant.name,
                    "uri": section_uri(active.section.skill, active.id),
                }
                for active in active_sections
            ]
            documents.append(document)
        return {"schema": WORKSPACE_SCHEMA, "roots": documents}


def skill_uri(name: str, version: str | None = None) -> str:
    return f"skill://{name}/SKILL.md" if version is None else f"skill://{name}/{version}/SKILL.md"


def section_uri(name: str, section_id: str, version: str | None = None) -> str:
    middle = name if version is None else f"{name}/{version}"
    return f"skill://{middle}/sections/{section_id}.md"


def _stack_stamp(stack: Stack, skill_stamps: list[tuple[str, int, int]]) -> str:
    document = stack.to_dict()
    document.pop("sections", None)
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode())
    digest.update(json.dumps(skill_stamps).encode())
    return digest.hexdigest()


def _file_roots(uris: Sequence[str]) -> list[Path]:
    """Existing local folders among the client's root URIs (``file://`` only)."""
    folders: list[Path] = []
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            continue
        path = Path(unquote(parts.path))
        if path.is_dir():
            folders.append(Path(os.path.realpath(path)))
    return folders


async def _asked_roots(ctx: ServerRequestContext[Any, Any], state: ClientState) -> tuple[Path, ...]:
    """The client's local folder roots, asked with ``roots/list``; none, with a warning
    logged to the client, when it cannot answer or names no local folder."""
    try:
        with warnings.catch_warnings():
            # Deprecated in 2026-07-28, which has no roots; the warning fires on the call, so
            # only the call (not the await) is inside the filter.
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            asking = ctx.session.list_roots()
        with anyio.fail_after(ROOTS_TIMEOUT_SECONDS):
            result = await asking
    except Exception as exc:  # a client that declared roots but cannot answer
        message = f"roots/list failed ({exc or type(exc).__name__}); using defaults"
        await log(ctx, state, "warning", message)
        return ()
    roots = tuple(_file_roots([str(root.uri) for root in result.roots]))
    if not roots and result.roots:
        await log(ctx, state, "warning", "no client root is a local folder; using defaults")
    return roots


class Workspaces:
    """The server-wide store of root detections and skill catalogs, plus per-client state."""

    def __init__(
        self,
        workspaces: Sequence[Path],
        skills_dirs: Sequence[Path],
        bus: SubscriptionBus,
        *,
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        self.workspaces = [Path(folder) for folder in workspaces]
        self.skills_dirs = [Path(folder) for folder in skills_dirs]
        self.clients = Clients()
        self._bus = bus
        self._recheck_seconds = recheck_seconds
        self._snapshots: dict[Path, RootSnapshot] = {}
        self._checked_at: dict[Path, float] = {}
        self._locks: dict[Path, anyio.Lock] = {}
        self._catalogs: dict[str, SkillCatalog] = {}
        self._catalog_for: dict[tuple[Path, ...], tuple[SkillCatalog, float]] = {}
        self._views: dict[str, WorkspaceView] = {}

    # --- roots -------------------------------------------------------------------------

    def fallback_roots(self) -> list[Path]:
        """``--workspace`` folders that exist, else the current directory."""
        given = [Path(os.path.realpath(folder)) for folder in self.workspaces]
        existing = [folder for folder in given if folder.is_dir()]
        return existing or [Path(os.path.realpath(Path.cwd()))]

    async def roots(self, ctx: ServerRequestContext[Any, Any], state: ClientState) -> list[Path]:
        if not state.declares_roots:
            return self.fallback_roots()
        # One roots/list at a time per client: a burst of first requests (or of requests after
        # roots/list_changed) waits for one answer instead of each asking the client again.
        async with state.roots_lock:
            if state.roots is None or state.roots_stale:
                state.roots_stale = False
                state.roots = await _asked_roots(ctx, state)
        return list(state.roots) or self.fallback_roots()

    # --- detection ---------------------------------------------------------------------

    async def _snapshot(
        self,
        root: Path,
        ctx: ServerRequestContext[Any, Any],
        state: ClientState,
        step: int,
        steps: int,
    ) -> RootSnapshot | None:
        lock = self._locks.setdefault(root, anyio.Lock())
        async with lock:
            previous = self._snapshots.get(root)
            now = time.monotonic()
            if (
                previous is not None
                and now - self._checked_at.get(root, 0.0) < self._recheck_seconds
            ):
                return previous
            try:
                stack = await self._detect(root, ctx, step, steps, cold=previous is None)
            except (OSError, ValueError) as exc:
                await log(ctx, state, "warning", f"cannot detect {root}: {exc}")
                return None
            stamps = skill_file_stamps(skill_places(root, self.skills_dirs, built_in=True))
            snapshot = RootSnapshot(root=root, stack=stack, stamp=_stack_stamp(stack, stamps))
            self._snapshots[root] = snapshot
            self._checked_at[root] = time.monotonic()
        if previous is None:
            names = ", ".join(f.name for f in stack.frameworks) or "no frameworks"
            python = stack.python.target or "unknown"
            await log(ctx, state, "info", f"detected {root}: python {python}; {names}")
        elif previous.stamp != snapshot.stamp:
            await log(ctx, state, "info", f"{root} changed: stack re-detected")
            await self._announce_root_change(root, state)
        return snapshot

    async def _detect(
        self, root: Path, ctx: ServerRequestContext[Any, Any], step: int, steps: int, *, cold: bool
    ) -> Stack:
        """Detect in a worker thread; while a first detection runs, report progress to a
        client that asked for it (the warm re-check is too quick to be worth a message)."""
        from stackskills.detectors.detect import detect

        if not cold:
            return await anyio.to_thread.run_sync(detect, root)
        result: list[Stack] = []
        done = anyio.Event()

        async def run() -> None:
            try:
                result.append(await anyio.to_thread.run_sync(detect, root))
            finally:
                done.set()

        async def heartbeat() -> None:
            started = time.monotonic()
            if step == 0:  # later roots start where the previous one ended: no repeat
                await ctx.session.report_progress(0, steps, f"detecting {root}")
            while not done.is_set():
                with anyio.move_on_after(HEARTBEAT_SECONDS):
                    await done.wait()
                elapsed = time.monotonic() - started
                if not done.is_set():
                    # Within this root's step and always rising: the total is unknown ahead.
                    fraction = elapsed / (elapsed + 5.0)
                    message = f"detecting {root} ({elapsed:.0f} s)"
                    await ctx.session.report_progress(step + fraction, steps, message)
            await ctx.session.report_progress(step + 1, steps, f"detected {root}")

        async with anyio.create_task_group() as group:
            group.start_soon(heartbeat)
            await run()
        return result[0]

    # --- skills ------------------------------------------------------------------------

    async def _catalog(self, roots: Sequence[Path]) -> SkillCatalog:
        """Built-in skills, ``--skills-dir`` folders and every root's ``.stackskills/skills``,
        reloaded only when a skill file's size or mtime changes (checked at most every
        ``recheck_seconds``, like the stacks)."""
        from stackskills.skills.sources import load_catalog

        wanted = tuple(roots)
        now = time.monotonic()
        cached = self._catalog_for.get(wanted)
        if cached is not None and now - cached[1] < self._recheck_seconds:
            return cached[0]
        # Every root's .stackskills/skills is workspace content, confined to its root like
        # the first one's (as plain --skills-dir folders they were followed out of the root).
        extra = list(self.skills_dirs)
        others = list(roots[1:])
        places = skill_places(roots[0], extra, built_in=True, more_workspaces=others)
        key = json.dumps([[str(p), s] for p, s in places] + [skill_file_stamps(places)])
        catalog = self._catalogs.get(key)
        if catalog is None:
            catalog = await anyio.to_thread.run_sync(
                lambda: load_catalog(workspace=roots[0], extra_dirs=extra, more_workspaces=others)
            )
            self._catalogs = {key: catalog}
        self._catalog_for = {wanted: (catalog, time.monotonic())}
        return catalog

    # --- the view a request works with -------------------------------------------------

    async def view(self, ctx: ServerRequestContext[Any, Any]) -> WorkspaceView:
        """The current state for this client; tells it (and others) about changes first."""
        state = self.clients.state(ctx)
        roots = await self.roots(ctx, state)
        snapshots: list[RootSnapshot] = []
        for step, root in enumerate(roots):
            snapshot = await self._snapshot(root, ctx, state, step, len(roots))
            if snapshot is not None:
                snapshots.append(snapshot)
        if not snapshots:
            fallback = self.fallback_roots()[0]
            snapshot = await self._snapshot(fallback, ctx, state, 0, 1)
            if snapshot is None:
                raise RuntimeError(f"cannot detect the workspace at {fallback}")
            snapshots.append(snapshot)
        catalog = await self._catalog([s.root for s in snapshots])
        fingerprint = hashlib.sha256(
            json.dumps([[str(s.root), s.stamp] for s in snapshots] + [id(catalog)]).encode()
        ).hexdigest()
        view = self._views.get(fingerprint)
        if view is None:
            from stackskills.skills.activation import activate

            in_use = catalog.in_use()
            view = WorkspaceView(
                roots=tuple(snapshots),
                catalog=catalog,
                active_by_root=tuple(tuple(activate(s.stack, in_use)) for s in snapshots),
                fingerprint=fingerprint,
            )
            self._views = {fingerprint: view}
        if state.seen is not None and state.seen != fingerprint:
            await announce(state, subscribed_only=False)
        state.seen = fingerprint
        state.seen_roots = view.root_paths
        return view

    async def roots_changed(self, ctx: ServerRequestContext[Any, Any]) -> None:
        """``notifications/roots/list_changed``: ask again, re-detect, tell the client."""
        state = self.clients.state(ctx)
        state.roots_stale = True
        await self.view(ctx)

    async def _announce_root_change(self, root: Path, current: ClientState) -> None:
        """A root's stack changed: every other client that was served it hears now (the
        current one hears when its view is compared), and 2026-07-28 listeners through the
        subscription bus."""
        for state in self.clients.all():
            if state is not current and root in state.seen_roots and not state.modern:
                state.seen = None
                await announce(state, subscribed_only=False)
        await self._bus.publish(ResourcesListChanged())
        await self._bus.publish(PromptsListChanged())
        await self._bus.publish(ResourceUpdated(uri=STACK_URI))


async def announce(state: ClientState, *, subscribed_only: bool) -> None:
    """Tell one handshake-era client that lists and the stack changed."""
    if state.modern:
        return
    session = state.session
    if not subscribed_only:
        await session.send_resource_list_changed()
        await session.send_prompt_list_changed()
    if STACK_URI in state.subscriptions:
        await session.send_resource_updated(STACK_URI)
