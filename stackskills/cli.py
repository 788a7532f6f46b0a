"""Argument parsing and dispatch. Each command lives in its own module and returns an exit
code: 0 clean, 1 findings, 2 usage or input error. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from stackskills import __version__

USAGE_ERROR = 2

DETECT_EXAMPLES = """\
examples:
  stackskills detect .                      readable table on a terminal
  stackskills detect ~/src/shop --format json | jq '.frameworks[].name'
"""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (its default prints the whole usage)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(USAGE_ERROR, f"stackskills: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stackskills",
        description="Detect a Python workspace's stack and serve the guidance that fits it.",
    )
    parser.add_argument("--version", action="version", version=f"stackskills {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    detect = commands.add_parser(
        "detect",
        help="detect frameworks, versions and the Python target of a workspace",
        description="Detect the frameworks, versions and Python target of a workspace,\n"
        "statically: workspace code is never imported or run. Every finding names\n"
        "the file and line it rests on.",
        epilog=DETECT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    detect.add_argument("path", nargs="?", default=".", help="workspace folder (default: .)")
    detect.add_argument(
        "--format",
        choices=("text", "json"),
        help="output format (default: text on a terminal, json otherwise)",
    )
    detect.add_argument(
        "--no-cache", action="store_true", help="ignore and do not update the detection cache"
    )
    return parser


def run(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    if args.command == "detect":
        from stackskills.detect_command import run_detect

        return run_detect(args.path, args.format, use_cache=not args.no_cache)
    parser.error(f"unknown command {args.command!r}")
    return USAGE_ERROR  # pragma: no cover - error() exits
