"""SARIF 2.1.0, the format code-scanning services (GitHub, GitLab, Azure DevOps) ingest: every
rule with its metadata and a help link to the section that explains the fix, every finding as a
result with its region, and unreadable inputs as tool notifications."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from stackskills import __version__
from stackskills.review.findings import ReviewResult, Severity
from stackskills.review.registry import Rule, all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/stackskills/"
SKILL = "python-expert"

_LEVELS: dict[Severity, str] = {"error": "error", "warning": "warning", "info": "note"}


def section_uri(section: str) -> str:
    """The MCP resource URI of the section: clients that speak MCP can open it directly."""
    return f"skill://{SKILL}/sections/{section}.md"


def artifact_location(file: str) -> dict[str, str]:
    """The file as the URI reference SARIF requires (RFC 3986): a relative path percent-encoded
    (spaces, ``#``, ``%``, non-ASCII) and resolved against %SRCROOT%, an absolute one as a
    ``file:`` URI."""
    if os.path.isabs(file):
        return {"uri": Path(file).as_uri()}
    return {"uri": quote(file, safe="/"), "uriBaseId": "%SRCROOT%"}


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} Explained in section {rule.section}."},
        "helpUri": section_uri(rule.section),
        "help": {
            "text": f"See section {rule.section} of the {SKILL} skill: "
            f"stackskills skills show {SKILL} {rule.section}",
            "markdown": f"See section `{rule.section}` of the `{SKILL}` skill "
            f"(`stackskills skills show {SKILL} {rule.section}`).",
        },
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"section": rule.section, "tags": [rule.section.split(".", 1)[0]]},
    }


def render_sarif(result: ReviewResult) -> str:
    rules = list(all_rules())
    index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    for finding in result.findings:
        entry: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": _LEVELS[finding.severity],
            "message": {"text": finding.message + (f" Fix: {finding.fix}" if finding.fix else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(finding.file),
                        "region": {
                            "startLine": finding.line,
                            "startColumn": finding.column,
                            "endLine": finding.end_line,
                            "endColumn": finding.end_column,
                        },
                    }
                }
            ],
            "properties": {"section": finding.section},
        }
        if finding.rule in index:
            entry["ruleIndex"] = index[finding.rule]
        results.append(entry)
    notifications = []
    for error in result.errors:
        region: dict[str, int] = {}
        if error.line is not None:
            region["startLine"] = error.line
            if error.column is not None:
                region["startColumn"] = max(error.column, 1)
        location: dict[str, Any] = {"artifactLocation": artifact_location(error.file)}
        if region:
            location["region"] = region
        notifications.append(
            {
                "level": "error",
                "message": {"text": error.message},
                "locations": [{"physicalLocation": location}],
            }
        )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "stackskills",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(rule) for rule in rules],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not result.errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "current folder"}}},
                "properties": {"python": result.python},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
