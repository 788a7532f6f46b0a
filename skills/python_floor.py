"""The lowest Python a gate allows: examples must parse there, not only on today's Python."""

from __future__ import annotations

from packaging.version import Version

from stackskills.skills.requirements import PYTHON, AppliesTo

FLOOR_MINOR = 8
"""The oldest Python stackskills gives advice for."""

NEWEST_MINOR = 14


def allows(applies_to: AppliesTo, minor: int) -> bool:
    """True when some condition's ``python`` requirements accept 3.``minor`` (others ignored)."""
    version = Version(f"3.{minor}")
    return any(
        all(
            gate.specifier.contains(version, prereleases=True)
            for gate in condition
            if gate.name == PYTHON
        )
        for condition in applies_to
    )


def lowest_python(*gates: AppliesTo) -> int | None:
    """The lowest minor (from 3.8) that every gate allows, or None when none does."""
    for minor in range(FLOOR_MINOR, NEWEST_MINOR + 1):
        if all(allows(gate, minor) for gate in gates):
            return minor
    return None
