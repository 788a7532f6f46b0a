"""``stackskills`` / ``python -m stackskills``: the command line, beside the MCP server."""

from __future__ import annotations

import sys

from stackskills.cli import run


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
