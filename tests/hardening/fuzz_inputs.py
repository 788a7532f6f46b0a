"""Hypothesis strategies the fuzz tests share: text with the hard characters in it, the
bytes a file can really hold (BOMs, UTF-16, invalid UTF-8, NUL), mutations of real text,
a small TOML writer, and the line arithmetic the properties check results against.

Kept out of the test modules so that the manifest and the source fuzzers feed the same hard
cases to every reader.
"""

from __future__ import annotations

import codecs
import json
import re
import string
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from packaging.utils import canonicalize_name

FUZZ = settings(
    database=None,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""Deterministic in CI: no example database, a fixed seed, and no per-example deadline (a
2-core CI machine is slow now and then; the test's own runtime is what is budgeted)."""


def fuzz(max_examples: int) -> settings:
    """The settings of every fuzz test, with its own number of examples."""
    return settings(FUZZ, max_examples=max_examples)


LINE_BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028"]
"""What some library or other takes for the end of a line: ``str.splitlines`` all of them,
Python and editors only the first three, TOML and JSON only ``\\n``."""

HARD_CHARACTERS = [
    *LINE_BREAKS,
    "\u2029",
    "\x00",
    "\t",
    " ",
    "\\",
    '"',
    "'",
    "#",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "=",
    ",",
    ";",
    ":",
    "\x7f",
    "\ufeff",
    "\u00e9",
    "\u65e5\u672c",
    "\U0001f40d",
    "\u202e",
]
"""Characters parsers and line counters disagree on, or that end strings and tables."""

any_character = st.characters(exclude_categories=["Cs"])
"""Any code point but the lone surrogates, which no UTF-8 or UTF-16 file can hold."""
hard_text = st.lists(st.one_of(any_character, st.sampled_from(HARD_CHARACTERS)), max_size=40).map(
    "".join
)
"""Short text, half of whose characters may be the hard ones (no lone surrogates: those
cannot be written as UTF-8, so invalid UTF-8 comes from ``file_bytes`` instead)."""


@st.composite
def long_line(draw: st.DrawFn) -> str:
    """One character or word repeated tens of thousands of times: a minified line."""
    unit = draw(st.sampled_from(["a", "x ", "[", "{", "(", "\\", "#", "é", "import a\\\n"]))
    return unit * draw(st.integers(1_000, 20_000))


@st.composite
def nested(draw: st.DrawFn) -> str:
    """Brackets (or TOML tables, or indentation) nested hundreds to thousands deep."""
    depth = draw(st.integers(100, 2_000))
    kind = draw(st.sampled_from(["[", "{", "(", "a = {b = ", "x.", "  ", "'''"]))
    closers = {"[": "]", "{": "}", "(": ")", "a = {b = ": "}"}
    tail = closers.get(kind, "") * draw(st.integers(0, depth))
    return kind * depth + tail


any_text = st.one_of(hard_text, long_line(), nested())


def universal_lines(text: str) -> list[str]:
    """Lines as Python and editors count them: ``\\r\\n``, ``\\r`` and ``\\n`` end one."""
    return re.split(r"\r\n|\r|\n", text)


def decoded(data: bytes) -> str:
    """The text a reader may have seen in ``data``, for counting its lines."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8", errors="replace")


def line_count(data: bytes) -> int:
    """How many lines a file holding ``data`` has, counting the one after a final break
    (a parser that met the end of the file may point there)."""
    return len(universal_lines(decoded(data)))


@st.composite
def file_bytes(draw: st.DrawFn, text: str) -> bytes:
    """``text`` as a file really holds it: UTF-8 with or without BOM, UTF-16 with BOM, or
    damaged (invalid UTF-8, NUL, a cut multi-byte character)."""
    how = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "bom", "utf-16", "damaged"]))
    if how == "bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if how == "utf-16":
        return text.encode(draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be"])))
    data = text.encode("utf-8")
    if how != "damaged":
        return data
    at = draw(st.integers(0, len(data)))
    damage = draw(
        st.one_of(
            st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\xe2\x82", b"\x80"]),
            st.binary(min_size=1, max_size=8),
        )
    )
    if draw(st.booleans()):
        return data[:at] + damage + data[at:]
    return data[:at]  # truncated, maybe inside a multi-byte character


MUTATIONS = ["delete", "duplicate", "swap", "insert", "truncate", "indent", "dedent", "join"]


@st.composite
def mutated(draw: st.DrawFn, text: str, max_mutations: int = 6) -> str:
    """``text`` after a few line edits: delete, duplicate, swap, insert hard text, truncate,
    change indentation, join two lines."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, max_mutations))):
        operation = draw(st.sampled_from(MUTATIONS))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if not lines:
            lines = [""]
        if operation == "delete" and len(lines) > 1:
            del lines[i]
        elif operation == "duplicate":
            lines.insert(i, lines[i])
        elif operation == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif operation == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(any_text) + lines[i][at:]
        elif operation == "truncate":
            at = draw(st.integers(0, len(lines[i])))
            lines = [*lines[:i], lines[i][:at]]
        elif operation == "indent":
            lines[i] = draw(st.sampled_from([" ", "    ", "\t", " \t", "\x0c"])) + lines[i]
        elif operation == "dedent":
            lines[i] = lines[i].lstrip()
        elif operation == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + draw(st.sampled_from(["", " ", "\\"])) + lines[i + 1]]
    return "\n".join(lines)


def is_normalised(name: str) -> bool:
    """A PEP 503 normalised distribution name."""
    return bool(name) and canonicalize_name(name) == name


def relative_files(root: Path) -> set[str]:
    """Every file and folder below ``root``, as POSIX paths relative to it."""
    return {path.relative_to(root).as_posix() for path in root.rglob("*")} | {"."}


# --- requirement-shaped strings -------------------------------------------------------

NAMES = [
    "django", "Django", "django_rest_framework", "FastAPI", "SQLAlchemy", "pydantic",
    "Flask-Login", "zope.interface", "a", "A.B-C_d", "requests", "numpy", "python",
]  # fmt: skip
name_text = st.one_of(
    st.sampled_from(NAMES),
    st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?", fullmatch=True),
)
SPECIFIERS = [
    "", "==1.0", ">=4.2,<5", "~=2.0", "!=1.*", "===weird", "==1.0.*", ">=1.0a1", "<2",
    "== 1.0", ">=", "=1", "^1.2", "~1", "1.2.*", ">=1,<2 || ^3", "*", "==1.0+local",
    ">=1." + "9" * 5_000, "==" + "0" * 4_400 + "1",
]  # fmt: skip
"""Including versions whose numbers ``int()`` refuses (over 4,300 digits) though
``packaging``'s regular expressions accept them."""
MARKERS = [
    "", "; python_version < '3.11'", ';python_version>="3.8"', "; sys_platform == 'win32'",
    "; extra == 'test'", "; os_name == 'nt' and platform_machine == 'x86_64'",
    "; python_version <", "; nonsense", ";",
]  # fmt: skip
URLS = [
    "git+https://github.com/o/r.git@main#egg=proj",
    "https://example.com/p-1.0.tar.gz#egg=p[extra]",
    "https://example.com/archive.zip",
    "file:///tmp/x.whl",
    "./local/path",
    "../up",
    "C:\\\\win\\\\path",
    "git+ssh://git@host/r#egg=",
    "hg+https://h/r#egg=bad name",
]


@st.composite
def requirement_text(draw: st.DrawFn) -> str:
    """A requirement string: mostly near-valid PEP 508, sometimes a URL or garbage."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.sampled_from(URLS))
    if kind == 1:
        return draw(hard_text)
    name = draw(name_text)
    extras = draw(st.sampled_from(["", "[test]", "[a,b]", "[", "[]", "[bad extra]"]))
    url = f" @ {draw(st.sampled_from(URLS))}" if kind == 2 else ""
    specifier = "" if url else draw(st.sampled_from(SPECIFIERS))
    return f"{name}{extras}{url}{specifier}{draw(st.sampled_from(MARKERS))}"


# --- TOML ------------------------------------------------------------------------------


class RawToml(str):
    """Text written into TOML as it is (an integer of 5,000 digits, a broken value)."""


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, except that DEL must be escaped."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(value: Any) -> str:
    if isinstance(value, RawToml):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(type(value))


def toml_document(document: dict[str, Any], header_tables: bool = True) -> str:
    """``document`` as TOML text: sub-tables under ``[a.b]`` headers (or inline), lists of
    tables as ``[[a.b]]`` when every item is a table."""
    lines: list[str] = []

    def table(path: tuple[str, ...], values: dict[str, Any]) -> None:
        deferred: list[tuple[str, Any]] = []
        for key, value in values.items():
            as_tables = (
                isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
            )
            if header_tables and (isinstance(value, dict) or as_tables):
                deferred.append((key, value))
            else:
                lines.append(f"{toml_key(key)} = {toml_value(value)}")
        for key, value in deferred:
            sub = (*path, key)
            dotted = ".".join(toml_key(part) for part in sub)
            if isinstance(value, dict):
                lines.append(f"[{dotted}]")
                table(sub, value)
            else:
                for item in value:
                    lines.append(f"[[{dotted}]]")
                    table(sub, item)

    table((), document)
    return "\n".join(lines) + "\n"


toml_scalars = st.one_of(
    requirement_text(),
    hard_text,
    st.sampled_from(["", "*", "3.11", "py311", ">=3.8", "^3.9", "dev", "test", "."]),
    st.integers(-(2**70), 2**70),
    st.builds(RawToml, st.sampled_from(["1" * 5_000, "0x" + "f" * 5_000, "1__2", "[1,", "{"])),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.times(),
    st.datetimes(),
)
TOML_KEYS = [
    "version", "extras", "optional", "markers", "python", "platform", "git", "path", "url",
    "branch", "tag", "rev", "include-group", "dependencies", "dev", "test", "name", "main",
    "requires-python", "source", "editable", "virtual", "hashes", "index",
]  # fmt: skip
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(TOML_KEYS), name_text, hard_text), inner,
                        max_size=4),
    ),
    max_leaves=12,
)  # fmt: skip

ASCII_WORDS = st.text(alphabet=string.ascii_lowercase + "-_.", min_size=1, max_size=10)
