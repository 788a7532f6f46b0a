"""setup.cfg: setuptools' declarative dependencies, Python requirement and classifiers.

``configparser`` gives the values but no positions, so each value's lines are indexed
from the raw text (section, then option, then its continuation lines) and every
requirement is looked up there to give its evidence the line it is written on.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import InvalidSpecifier

from stackskills.detectors.manifests.scopes import scope_for_extra
from stackskills.detectors.models import (
    DetectionError,
    Evidence,
    ManifestReading,
    PythonConstraint,
    Scope,
)
from stackskills.detectors.names import normalise
from stackskills.detectors.requirement_strings import requirement_or_error
from stackskills.detectors.source import Workspace
from stackskills.detectors.specifiers import lenient_specifier

REQUIREMENT_KEYWORDS: tuple[tuple[str, Scope], ...] = (
    ("install_requires", "runtime"),
    ("tests_require", "dev"),
)
"""setuptools options that list requirements, and the scope each implies."""

_SECTION = re.compile(r"^\[(?P<name>.+)\]")
_OPTION = re.compile(r"^(?P<key>[^=:]+?)\s*[=:]\s*(?P<value>.*)$")
_INLINE_COMMENT = re.compile(r"\s+#.*$")
_PYTHON_MINOR_CLASSIFIER = re.compile(r"^Programming Language\s*::\s*Python\s*::\s*(3\.\d+)$")


def read_setup_cfg(workspace: Workspace, path: Path) -> ManifestReading:
    """Dependencies, extras, ``python_requires``, name and classifiers of a setup.cfg."""
    reading = ManifestReading()
    rel = workspace.relative(path)
    text = workspace.read_or_report(path, reading.errors)
    if text is None:
        return reading
    config = configparser.ConfigParser(strict=False)
    try:
        config.read_string(text, source=rel)
    except configparser.Error as exc:
        reading.errors.append(_config_error(exc, rel))
        return reading
    places = _ValuePlaces(text)
    _read_metadata(config, places, rel, reading)
    _read_options(config, places, rel, reading)
    if "tool:pytest" in config:
        line = places.headers.get("tool:pytest")
        reading.markers.append(Evidence(file=rel, line=line, kind="marker", detail="pytest"))
    _read_mypy_target(config, places, rel, reading)
    return reading


_MINOR = re.compile(r"^\s*(\d+)\.(\d+)\s*$")


def _read_mypy_target(
    config: configparser.ConfigParser, places: _ValuePlaces, rel: str, reading: ManifestReading
) -> None:
    """``[mypy] python_version = 3.8``: a tool target, like ``tool.mypy`` in pyproject."""
    if not config.has_option("mypy", "python_version"):
        return
    value = config.get("mypy", "python_version", raw=True)
    found = _MINOR.match(value)
    if found is None:
        return
    line = places.of("mypy", "python_version").find(value.strip())
    evidence = Evidence(file=rel, line=line, kind="mypy-python-version", detail=value.strip())
    spec = f"=={found.group(1)}.{found.group(2)}.*"
    reading.python.append(PythonConstraint(specifier=spec, evidence=evidence))


def classifier_constraint(classifier: str, file: str, line: int | None) -> PythonConstraint | None:
    """``Programming Language :: Python :: 3.X`` -> ``==3.X.*``; other classifiers -> None.

    ``:: 3``, ``:: 3 :: Only`` and implementation classifiers name no minor version.
    """
    found = _PYTHON_MINOR_CLASSIFIER.match(classifier.strip())
    if found is None:
        return None
    evidence = Evidence(file=file, line=line, kind="classifier", detail=classifier.strip())
    return PythonConstraint(specifier=f"=={found.group(1)}.*", evidence=evidence)


def python_requires_constraint(
    value: str, file: str, line: int | None
) -> PythonConstraint | DetectionError:
    """A ``python_requires`` value as a constraint, or the error packaging found in it."""
    try:
        specifier = lenient_specifier(value)
    except InvalidSpecifier:
        return DetectionError(file=file, line=line, message=f"invalid python_requires {value!r}")
    evidence = Evidence(file=file, line=line, kind="python_requires", detail=value)
    return PythonConstraint(specifier=str(specifier), evidence=evidence)


def _read_metadata(
    config: configparser.ConfigParser, places: _ValuePlaces, rel: str, reading: ManifestReading
) -> None:
    if "metadata" not in config:
        return
    metadata = _by_underscored_key(config, "metadata")
    name = _strip_comment(metadata.get("name", ("", ""))[1])
    if name:
        reading.project_name = normalise(name)
    lines = places.of("metadata", "classifiers")
    for classifier in _items(metadata.get("classifiers", ("", ""))[1], separator="\n"):
        constraint = classifier_constraint(classifier, rel, lines.find(classifier))
        if constraint is not None:
            reading.python.append(constraint)


def _read_options(
    config: configparser.ConfigParser, places: _ValuePlaces, rel: str, reading: ManifestReading
) -> None:
    if "options" in config:
        options = _by_underscored_key(config, "options")
        for key, scope in REQUIREMENT_KEYWORDS:
            if key in options:
                written, value = options[key]
                _read_requirements(value, places.of("options", written), rel, scope, reading)
        if "python_requires" in options:
            written, value = options["python_requires"]
            value = _strip_comment(value)
            line = places.of("options", written).find(value)
            found = python_requires_constraint(value, rel, line)
            if isinstance(found, DetectionError):
                reading.errors.append(found)
            else:
                reading.python.append(found)
    if "options.extras_require" in config:
        for extra, value in _by_underscored_key(config, "options.extras_require").values():
            lines = places.of("options.extras_require", extra)
            _read_requirements(value, lines, rel, scope_for_extra(extra), reading)


def _read_requirements(
    value: str, lines: _ValueLines, rel: str, scope: Scope, reading: ManifestReading
) -> None:
    if value.strip().startswith("file:"):
        return  # requirements kept in another file, which is read as a requirements file
    for text in _items(value, separator=";"):
        found = requirement_or_error(text, scope=scope, file=rel, line=lines.find(text))
        if isinstance(found, DetectionError):
            reading.errors.append(found)
        else:
            reading.dependencies.append(found)


def _by_underscored_key(
    config: configparser.ConfigParser, section: str
) -> dict[str, tuple[str, str]]:
    """``(key as written, value)`` by ``install_requires``-style key (also ``install-requires``).

    setuptools reads setup.cfg with ``%(name)s`` interpolation (SQLAlchemy's extras use
    it); a value whose ``%`` is not an interpolation is taken as written.
    """
    options: dict[str, tuple[str, str]] = {}
    for key in config.options(section):
        try:
            value = config.get(section, key)
        except configparser.InterpolationError:
            value = config.get(section, key, raw=True)
        options[key.replace("-", "_")] = (key, value)
    return options


def _items(value: str, separator: str) -> list[str]:
    """setuptools' list rule: one item per line, or ``separator``-split when on one line."""
    chunks = value.splitlines() if "\n" in value else value.split(separator)
    items = [_strip_comment(chunk) for chunk in chunks]
    return [item for item in items if item and not item.startswith("#")]


def _strip_comment(text: str) -> str:
    return _INLINE_COMMENT.sub("", text).strip()


def _config_error(exc: configparser.Error, rel: str) -> DetectionError:
    if isinstance(exc, configparser.MissingSectionHeaderError):
        message = "invalid setup.cfg: text before the first [section] header"
        return DetectionError(file=rel, line=exc.lineno, message=message)
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        line, text = exc.errors[0]
        return DetectionError(
            file=rel, line=line, message=f"invalid setup.cfg: cannot parse line {text}"
        )
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return DetectionError(
        file=rel, line=getattr(exc, "lineno", None), message=f"invalid setup.cfg: {first}"
    )


@dataclass
class _ValueLines:
    """The physical lines of one option's value, searched in order for each item."""

    lines: list[tuple[int, str]]
    cursor: int = 0

    def find(self, item: str) -> int | None:
        """Line of ``item`` (whole word) at or after the previous item; else the key's line."""
        if not self.lines:
            return None
        pattern = re.compile(rf"(?<![\w.-]){re.escape(item)}(?![\w.-])")
        for index in range(self.cursor, len(self.lines)):
            number, text = self.lines[index]
            if pattern.search(text):
                self.cursor = index
                return number
        return self.lines[0][0]


class _ValuePlaces:
    """Where each section header and each option's value lines are in the raw text."""

    def __init__(self, text: str) -> None:
        self.headers: dict[str, int] = {}
        self._values: dict[tuple[str, str], list[tuple[int, str]]] = {}
        section: str | None = None
        option: tuple[str, str] | None = None
        for number, raw in enumerate(text.split("\n"), start=1):
            line = raw.rstrip("\r")
            stripped = line.strip()
            header = _SECTION.match(line)
            if header:
                section, option = header.group("name"), None
                self.headers.setdefault(section, number)
            elif not stripped or stripped.startswith(("#", ";")) or section is None:
                continue
            elif not line[0].isspace() and (found := _OPTION.match(line)):
                option = (section, found.group("key").strip().lower())
                self._values.setdefault(option, []).append((number, found.group("value")))
            elif option is not None:
                self._values[option].append((number, line))

    def of(self, section: str, key: str) -> _ValueLines:
        return _ValueLines(list(self._values.get((section, key.lower()), [])))
