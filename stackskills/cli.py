"""Argument parsing and dispatch. Each command lives in its own module and returns an exit
code: 0 clean, 1 findings, 2 usage or input error. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from stackskills import __version__, terminal
from stackskills.client_names import CLIENTS, VIAS

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


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or, with ``only``, the top level and that one command: a run
    of one command need not build the others' options (a warm ``detect`` answers in a few
    milliseconds; building every command took more)."""
    parser = _Parser(
        prog="stackskills",
        description="Detect a Python workspace's stack and serve the guidance that fits it.",
    )
    parser.add_argument("--version", action="version", version=f"stackskills {__version__}")
    _add_quiet(parser, default=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, add_command in COMMANDS.items():
        if only is None or only == name:
            add_command(commands)
    return parser


def _add_detect_command(commands: argparse._SubParsersAction[_Parser]) -> None:
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
    _add_skills_dir(detect)
    _add_quiet(detect)


REVIEW_EXAMPLES = """\
examples:
  stackskills review app/                       every Python file below app/
  stackskills review views.py --format json     one JSON document for tools
  git diff --name-only -- '*.py' | xargs stackskills review --format sarif > review.sarif
  cat snippet.py | stackskills review - --stack django==5.1 --python 3.12
exit codes: 0 no findings, 1 findings, 2 unreadable/unparsable input or bad usage
"""


def _add_review_command(commands: argparse._SubParsersAction[_Parser]) -> None:
    review = commands.add_parser(
        "review",
        help="flag code that goes against the active skill sections",
        description="Review Python files against the skill sections that fit their project.\n"
        "Each finding names the rule, the section that explains the fix, and the fix.",
        epilog=REVIEW_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    review.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, or - for stdin")
    review.add_argument(
        "--format", choices=("text", "json", "sarif"), default="text", help="output format"
    )
    review.add_argument("--python", metavar="X.Y", help="target Python (default: detected)")
    review.add_argument(
        "--stack",
        default="auto",
        metavar="SPEC",
        help="'auto' (detect the project around each file, default) or e.g. "
        "'django,pydantic==1.10'",
    )
    review.add_argument("--select", metavar="CODES", help="only these rule codes or prefixes")
    review.add_argument("--ignore", metavar="CODES", help="skip these rule codes or prefixes")
    _add_quiet(review)


SKILLS_EXAMPLES = """\
examples:
  stackskills skills list                                 skills and how many sections fit here
  stackskills skills show python-expert                   the sections of a skill
  stackskills skills show python-expert django.n-plus-one one section, as it applies here
  stackskills skills validate ./my-skills                 check skill folders before sharing
"""


def _add_quiet(parser: argparse.ArgumentParser, *, default: object = argparse.SUPPRESS) -> None:
    """--quiet before or after the command; SUPPRESS keeps a subcommand from resetting it."""
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default,
        help="no notes, warnings or progress on stderr (errors are still printed)",
    )


SKILLS_LIST_EXAMPLES = """\
examples:
  stackskills skills list                              here, as a table
  stackskills skills list --workspace ~/src/shop --format json
  stackskills skills list --skills-dir ./my-skills     with your own skills too
"""
SKILLS_SHOW_EXAMPLES = """\
examples:
  stackskills skills show python-expert                      the sections of a skill
  stackskills skills show python-expert@1.3.0 django.n-plus-one --workspace ~/src/shop
"""
SKILLS_VALIDATE_EXAMPLES = """\
examples:
  stackskills skills validate ./my-skills          every skill folder below ./my-skills
  stackskills skills validate .stackskills/skills/my-skill
exit codes: 0 valid, 1 problems found, 2 bad usage
"""


def _add_skills_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--skills-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="also load the skills in DIR (repeatable)",
    )


def _add_skills_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    skills = commands.add_parser(
        "skills",
        help="list, show and validate skills",
        description="The skills stackskills serves: built-in ones, --skills-dir folders and\n"
        "the workspace's .stackskills/skills/.",
        epilog=SKILLS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = skills.add_subparsers(dest="skills_command", metavar="ACTION", parser_class=_Parser)
    listing = actions.add_parser(
        "list",
        help="name, version, source, sections, active sections",
        description="The skills found, and how many of their sections fit the workspace.",
        epilog=SKILLS_LIST_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    listing.add_argument("--workspace", default=".", help="count active sections here (default: .)")
    listing.add_argument("--format", choices=("text", "json"), help="output format")
    _add_skills_dir(listing)
    _add_quiet(listing)
    show = actions.add_parser(
        "show",
        help="a skill's sections, or one section's text",
        description="A skill's sections, or one section's text as it applies to the workspace.",
        epilog=SKILLS_SHOW_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show.add_argument("skill", metavar="NAME[@VERSION]", help="e.g. python-expert@1.3.0")
    show.add_argument("section", nargs="?", metavar="SECTION", help="e.g. django.n-plus-one")
    show.add_argument("--workspace", default=".", help="show the variant that fits here")
    _add_skills_dir(show)
    _add_quiet(show)
    validate = actions.add_parser(
        "validate",
        help="check skill folders; every problem as file:line: message",
        description="Check skill folders the way the server loads them.",
        epilog=SKILLS_VALIDATE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument(
        "paths", nargs="+", metavar="PATH", help="a skill folder or a folder of skills"
    )
    _add_quiet(validate)


SERVE_EXAMPLES = """\
examples:
  stackskills serve                          stdio, for the client's roots or the current folder
  stackskills serve --workspace ~/src/shop   stdio, for one workspace
  claude mcp add --transport stdio stackskills -- stackskills serve --workspace ~/src/shop
  stackskills serve --http                   streamable HTTP at http://127.0.0.1:8765/mcp
  stackskills serve --http --port 0          HTTP on a free port (printed on stderr)
exit codes: 0 stopped (end of input, SIGTERM or Ctrl-C), 2 bad usage or a port that is taken
"""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 0 and 65535")
    return port


def _add_serve_command(commands: argparse._SubParsersAction[_Parser]) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the MCP server (stdio, or streamable HTTP with --http)",
        description="Serve the workspace's stack, skill sections and review tools over the\n"
        "Model Context Protocol. MCP clients start it on stdio; --http serves streamable HTTP\n"
        "on localhost, rejecting requests whose Host or Origin is not a localhost name.",
        epilog=SERVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--workspace",
        action="append",
        default=[],
        metavar="PATH",
        help="serve this folder when the client declares no roots (repeatable; default: .)",
    )
    _add_skills_dir(serve)
    serve.add_argument("--http", action="store_true", help="serve streamable HTTP, not stdio")
    serve.add_argument("--host", help="address to listen on with --http (default: 127.0.0.1)")
    serve.add_argument(
        "--port", type=_port, help="port to listen on with --http (default: 8765; 0: any free)"
    )


EXPORT_EXAMPLES = """\
examples:
  stackskills export --format cursor-rules            .cursor/rules/*.mdc for this stack
  stackskills export --format claude-skills --format agents-md --out build/guidance
  stackskills export --format copilot-instructions --check    exit 1 when out of date (CI)
exit codes: 0 written or current, 1 out of date (--check), 2 bad usage or workspace
"""


def _add_export_command(commands: argparse._SubParsersAction[_Parser]) -> None:
    export = commands.add_parser(
        "export",
        help="write the active sections as Agent Skills, Cursor, Copilot or AGENTS.md files",
        description="Write the skill sections that fit the workspace as static files other\n"
        "assistants read. Files carry a generated-by marker: re-running updates them and\n"
        "removes the ones no longer wanted, and never touches files without the marker.",
        epilog=EXPORT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument(
        "--format",
        action="append",
        required=True,
        choices=("claude-skills", "cursor-rules", "copilot-instructions", "agents-md"),
        help="output format (repeatable)",
    )
    export.add_argument("--workspace", default=".", help="workspace to detect (default: .)")
    export.add_argument("--out", metavar="DIR", help="write below DIR (default: the workspace)")
    export.add_argument(
        "--all-sections",
        action="store_true",
        help="every section of the skills in use, not only those that fit the stack",
    )
    export.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any file is out of date"
    )
    _add_skills_dir(export)
    _add_quiet(export)


CONFIG_EXAMPLES = """\
examples:
  stackskills config claude-code                  the `claude mcp add ...` command to run
  stackskills config vscode --write               add the server to .vscode/mcp.json
  stackskills config cursor --via uvx             a .cursor/mcp.json entry that runs uvx
  stackskills config claude-desktop --via docker --workspace ~/src/shop
  stackskills config windsurf --write             merge into ~/.codeium/windsurf/mcp_config.json
exit codes: 0 printed or written, 2 bad usage or a config file that is not valid JSON
"""


def _add_config_command(commands: argparse._SubParsersAction[_Parser]) -> None:
    config = commands.add_parser(
        "config",
        help="print or write the MCP client config that starts stackskills serve",
        description="Print the entry an MCP client needs to start `stackskills serve` for a\n"
        "workspace (for Claude Code, the `claude mcp add` command), or merge it into the\n"
        "client's config file with --write: a .bak copy first, other servers kept, and\n"
        "nothing written when the entry is already there.",
        epilog=CONFIG_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    config.add_argument(
        "client",
        choices=CLIENTS,
        help="the client to configure ('json': the generic mcpServers form)",
    )
    config.add_argument(
        "--via",
        choices=VIAS,
        default="path",
        help="start this executable by absolute path (default), uvx, or the Docker image",
    )
    config.add_argument(
        "--workspace", default=".", metavar="PATH", help="the workspace to serve (default: .)"
    )
    config.add_argument(
        "--write",
        action="store_true",
        help="merge into the client's file: the workspace's where it has one, else the user's",
    )
    config.add_argument(
        "--user", action="store_true", help="with --write: the user's file, not the workspace's"
    )
    _add_quiet(config)


COMMANDS = {
    "detect": _add_detect_command,
    "review": _add_review_command,
    "skills": _add_skills_commands,
    "serve": _add_serve_command,
    "config": _add_config_command,
    "export": _add_export_command,
}
"""Each command and what adds it to the parser, in the order ``--help`` lists them."""


def run(argv: Sequence[str]) -> int:
    # the command is the first word that is no option (the top level takes no values)
    command = next((word for word in argv if not word.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    terminal.QUIET = args.quiet
    if args.command is None:
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    if args.command == "detect":
        from stackskills.detect_command import run_detect

        return run_detect(
            args.path, args.format, use_cache=not args.no_cache, skills_dirs=args.skills_dir
        )
    if args.command == "review":
        from stackskills.review_command import run_review

        return run_review(
            args.paths,
            args.format,
            python=args.python,
            stack_spec=args.stack,
            select=args.select,
            ignore=args.ignore,
        )
    if args.command == "skills":
        return _run_skills(parser, args)
    if args.command == "serve":
        from stackskills.serve_command import run_serve

        return run_serve(
            args.workspace, args.skills_dir, http=args.http, host=args.host, port=args.port
        )
    if args.command == "export":
        from stackskills.export_command import run_export

        return run_export(
            args.format,
            args.workspace,
            args.out,
            all_sections=args.all_sections,
            check=args.check,
            skills_dirs=args.skills_dir,
        )
    if args.command == "config":
        from stackskills.config_command import run_config

        return run_config(args.client, args.via, args.workspace, write=args.write, user=args.user)
    parser.error(f"unknown command {args.command!r}")
    return USAGE_ERROR  # pragma: no cover - error() exits


def _run_skills(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from stackskills import skills_command

    if args.skills_command == "list":
        return skills_command.run_list(args.workspace, args.skills_dir, args.format)
    if args.skills_command == "show":
        return skills_command.run_show(args.skill, args.section, args.workspace, args.skills_dir)
    if args.skills_command == "validate":
        return skills_command.run_validate(args.paths)
    parser.parse_args(["skills", "--help"])
    return USAGE_ERROR  # pragma: no cover - --help exits
