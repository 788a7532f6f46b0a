"""The skill sections active for a detected stack, cached beside the detection result.

Loading skills validates their front matter with pydantic, which costs more than a warm
detection itself; the activation result depends only on the stack and the skill files, so it is
stored under both and reused while neither changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from stackskills import __version__
from stackskills.detectors.cache import DetectionCache, default_cache_dir
from stackskills.detectors.models import SectionRef, Stack
from stackskills.skills.places import skill_file_stamps, skill_places
from stackskills.terminal import notify

CACHE_NAME = "sections"


def _key(stack: Stack, places: list[tuple[Path, str]], cache: DetectionCache) -> str:
    """Changes with the stack and with any skill file. The stack is identified by its cache
    entry's stamp when it has one (hashing a large stack costs more than the lookup saves)."""
    digest = hashlib.sha256(__version__.encode())
    frameworks = [[f.name, f.version, f.specifier, f.scope] for f in stack.frameworks]
    summary = [stack.root, stack.python.target, bool(stack.projects), frameworks]
    digest.update(json.dumps(summary).encode())
    stamp = cache.stack_stamp(Path(stack.root))
    if stamp is not None:
        digest.update(f"stack-entry:{stamp[0]}:{stamp[1]}".encode())
    else:
        document = stack.to_dict()
        document.pop("sections", None)
        digest.update(json.dumps(document, sort_keys=True).encode())
    digest.update(json.dumps([[str(p), s] for p, s in places]).encode())
    digest.update(json.dumps(skill_file_stamps(places)).encode())
    return digest.hexdigest()


def active_section_refs(
    stack: Stack, skills_dirs: Sequence[str] = (), *, use_cache: bool = True
) -> list[SectionRef]:
    """The sections that fit ``stack``, each with its reason; warnings about skills on stderr."""
    root = Path(stack.root)
    places = skill_places(root, [Path(folder) for folder in skills_dirs], built_in=True)
    cache = DetectionCache(default_cache_dir())
    key = _key(stack, places, cache) if use_cache else ""
    if use_cache:
        cached = cache.load_extra(root, CACHE_NAME)
        if isinstance(cached, dict) and cached.get("key") == key:
            try:
                refs = [SectionRef(**item) for item in cached["sections"]]
                warnings = [str(item) for item in cached["warnings"]]
            except (KeyError, TypeError):
                pass
            else:
                _print_warnings(warnings)
                return refs
    from stackskills.skills.activation import activate
    from stackskills.skills.compiled import load_catalog_cached

    catalog = load_catalog_cached(
        default_cache_dir(), workspace=root, extra_dirs=[Path(folder) for folder in skills_dirs]
    )
    warnings = [str(problem) for problem in catalog.problems]
    refs = [active.ref() for active in activate(stack, catalog.in_use())]
    _print_warnings(warnings)
    if use_cache:
        cache.save_extra(
            root,
            CACHE_NAME,
            {"key": key, "sections": [ref.__dict__ for ref in refs], "warnings": warnings},
        )
    return refs


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        notify(f"stackskills: warning: {warning}")
