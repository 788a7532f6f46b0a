"""The ``stackskills.review/1`` JSON document: one object on stdout, for CI and tools."""

from __future__ import annotations

import json

from stackskills.review.findings import ReviewResult


def render_json(result: ReviewResult) -> str:
    return json.dumps(result.to_dict(), indent=2) + "\n"
