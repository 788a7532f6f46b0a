"""SKS101: a loop over a queryset reads a relation of each row that the queryset does not load.

``for post in Post.objects.all(): post.author.name`` sends one more query per row. Which
attributes are relations: the model's fields when this file defines the model; otherwise only
what can be nothing else, a field read *through* an attribute (``post.author.name``) or a
related-manager call (``post.tags.all()``), never a plain ``post.title``. Value-type attributes
(``post.created.year``, ``post.image.url``, ``post.data.get(...)``) are skipped, and so is any
queryset whose loading the file does not fully show (``select_related()`` without arguments, a
lookup in a variable, a custom queryset method, a queryset passed in as a parameter).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from stackskills.review.context import NodeContext
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule
from stackskills.review.semantics.django_querysets import (
    Queryset,
    queryset_of,
    relation_names,
)
from stackskills.review.semantics.statements import child_nodes
from stackskills.review.semantics.test_code import in_test_code

rule = Rule(
    code="SKS101",
    name="queryset-loop-related-access",
    section="django.n-plus-one",
    summary="A loop over a queryset reads a relation the queryset did not select_related or "
    "prefetch_related, costing one query per row.",
)

MANAGER_CALLS = frozenset(
    {
        "all",
        "count",
        "exists",
        "first",
        "last",
        "filter",
        "exclude",
        "order_by",
        "values_list",
        "aggregate",
        "annotate",
        "select_related",
        "prefetch_related",
        "latest",
        "earliest",
        "in_bulk",
    }
)
"""Related-manager methods: a call on ``row.rel`` with one of these names is a manager call."""
REQUERY_CALLS = frozenset({"filter", "exclude", "order_by", "annotate", "values_list"})
"""Related-manager calls that ignore prefetched rows and query again."""
VALUE_METHODS = frozenset(
    {
        # str
        "upper", "lower", "strip", "lstrip", "rstrip", "split", "rsplit", "replace", "format",
        "startswith", "endswith", "encode", "decode", "join", "title", "capitalize",
        "casefold", "splitlines", "partition", "rpartition", "find", "rfind", "index",
        "isdigit", "isalpha", "isalnum", "zfill", "center", "ljust", "rjust", "translate",
        "removeprefix", "removesuffix", "count", "isupper", "islower", "isspace", "swapcase",
        "expandtabs", "format_map", "isnumeric", "isdecimal", "isidentifier",
        # date, time, timedelta
        "date", "time", "isoformat", "strftime", "timestamp", "weekday", "isoweekday",
        "astimezone", "timetuple", "total_seconds", "isocalendar", "utcoffset", "tzname",
        "ctime",
        # numbers
        "quantize", "normalize", "as_integer_ratio", "is_integer", "to_integral_value",
        "to_eng_string", "is_nan", "is_zero", "is_signed", "bit_length", "to_bytes",
        "conjugate",
        # dict, list, set (JSONField, ArrayField)
        "get", "items", "keys", "values", "pop", "setdefault", "update", "copy", "append",
        "extend", "insert", "remove", "sort", "clear", "add", "union", "difference",
        "intersection", "issubset", "issuperset", "popitem", "discard",
        # files (FileField, ImageField)
        "open", "read", "close", "chunks", "seek", "multiple_chunks", "readlines",
    }
)  # fmt: skip
"""Methods of the values plain fields hold: skipped when called (``post.title.upper()``)."""
VALUE_ATTRIBUTES = frozenset(
    {
        "year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo", "fold",
        "days", "seconds", "microseconds", "real", "imag", "numerator", "denominator",
        "amount", "currency", "hex", "int", "urn", "bytes", "bytes_le", "version", "fields",
        "url", "path", "size", "width", "height", "storage", "closed", "file", "value",
        "label", "choices", "labels", "lower_inc", "upper_inc", "lower_inf", "upper_inf",
        "isempty", "x", "y", "z", "coords", "srid", "wkt", "geojson", "geom_type",
    }
)  # fmt: skip
WRITE_CALLS = frozenset(
    {
        "create", "add", "remove", "set", "clear", "update", "delete", "get_or_create",
        "update_or_create", "bulk_create", "save",
    }
)  # fmt: skip
"""Calls that write rather than read (one query per row, but not one ``prefetch_related``
can save; ``FieldFile.save()`` too)."""
"""Attributes of the values plain (non-relation) fields hold."""
VALUE_FIELD_WORDS = frozenset(
    {
        "date", "time", "datetime", "timestamp", "created", "modified", "updated", "at",
        "on", "data", "json", "meta", "metadata", "config", "settings", "options", "payload",
        "price", "amount", "total", "status", "state", "type", "kind", "uuid", "token",
        "email", "url", "slug", "name", "title", "text", "body", "content", "range",
        "period", "duration", "geom", "point", "start", "end", "expires", "deadline",
        "class", "cls",
    }
)  # fmt: skip
"""Words in an attribute name that say it is a plain field (a date, JSON, a string, a
number), used only when the file does not define the model."""
FILE_FIELD_WORDS = frozenset(
    {
        "file", "image", "photo", "picture", "avatar", "logo", "attachment", "thumbnail",
        "icon", "video", "audio", "upload", "banner", "cover", "pdf", "document", "media",
    }
)  # fmt: skip
"""Words that name a file field or a foreign key to a file model: ``.name`` is the file's."""
PLAIN_ATTRIBUTES = frozenset({"pk", "id"})


def _rows(iterable: ast.expr, target: ast.expr) -> tuple[str, ast.expr] | None:
    """(loop variable, the expression whose rows it takes): ``for x in qs``,
    ``for x in qs.iterator()``, ``for i, x in enumerate(qs)``."""
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and iterable.func.id == "enumerate"
        and iterable.args
        and isinstance(target, ast.Tuple)
        and len(target.elts) == 2
    ):
        iterable, target = iterable.args[0], target.elts[1]
    if not isinstance(target, ast.Name):
        return None
    if (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Attribute)
        and iterable.func.attr in {"iterator", "aiterator"}
    ):
        iterable = iterable.func.value
    return target.id, iterable


def _body_nodes(roots: list[ast.AST]) -> Iterator[ast.AST]:
    """Nodes of a loop body in source order; nested functions and classes are not entered."""
    pending = list(reversed(roots))
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        pending.extend(reversed(child_nodes(node)))


def _rebinds(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store)


def _written_through(node: ast.AST | None, parents: dict[int, ast.AST]) -> bool:
    """The queryset is only used for a write: ``<qs>.delete()``, ``<qs>.update(...)``."""
    while isinstance(node, ast.Attribute):
        if node.attr in WRITE_CALLS:
            return True
        call = parents.get(id(node))
        if not (isinstance(call, ast.Call) and call.func is node):
            return False
        node = parents.get(id(call))
    return False


def _probed_attribute(node: ast.AST, variable: str) -> Iterator[str]:
    """``hasattr(row, "log")``: an attribute the code sets on some rows itself."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"hasattr", "getattr"}
        and len(node.args) >= 2
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == variable
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        yield node.args[1].value


def _looks_like_value_field(name: str, read: str) -> bool:
    parts = name.lower().split("_")
    if parts[-1] in {"by", "user", "owner", "author"}:
        return False  # ``created_by``, ``updated_by``: foreign keys to a user
    words = set(parts)
    if words & VALUE_FIELD_WORDS:
        return True
    return read == "name" and bool(words & FILE_FIELD_WORDS)


def _related_access(
    node: ast.AST,
    parents: dict[int, ast.AST],
    variable: str,
    relations: set[str] | None,
) -> tuple[str, str, bool] | None:
    """(relation, what is read through it, whether it is a manager call) for ``var.rel.x``."""
    if not isinstance(node, ast.Attribute):
        return None
    inner = node.value
    if not (
        isinstance(inner, ast.Attribute)
        and isinstance(inner.value, ast.Name)
        and inner.value.id == variable
    ):
        return None
    relation, read = inner.attr, node.attr
    if relation.startswith("_") or relation in PLAIN_ATTRIBUTES or relation.endswith("_id"):
        return None
    if read.startswith("__") or read[:1].isupper():
        return None  # dunders, and class attributes such as ``DoesNotExist``
    parent = parents.get(id(node))
    called = isinstance(parent, ast.Call) and parent.func is node
    if called and read in WRITE_CALLS:
        return None
    manager_call = (
        called
        and read in MANAGER_CALLS
        and isinstance(parent, ast.Call)
        and (read != "count" or (not parent.args and not parent.keywords))
    )
    if manager_call and _written_through(parents.get(id(parent)), parents):
        return None  # ``row.items.all().delete()``: a write per row, not a read
    if relations is not None:
        return (relation, read, manager_call) if relation in relations else None
    if manager_call:
        return relation, read, True
    if read in VALUE_ATTRIBUTES or (called and read in VALUE_METHODS):
        return None
    if _looks_like_value_field(relation, read):
        return None
    return relation, read, False


def _loop_findings(
    variable: str,
    source: Queryset,
    roots: list[ast.AST],
    relations: set[str] | None,
    report_at: dict[str, ast.AST],
) -> None:
    parents: dict[int, ast.AST] = {}
    nodes = list(_body_nodes(roots))
    dynamic: set[str] = set()
    for node in nodes:
        if _rebinds(node, variable):
            report_at.clear()
            return
        dynamic.update(_probed_attribute(node, variable))
        for child in child_nodes(node):
            parents[id(child)] = node
    for node in nodes:
        access = _related_access(node, parents, variable, relations)
        if access is None:
            continue
        relation, read, manager_call = access
        if relation in dynamic:
            continue
        if relation in source.loaded:
            if not (manager_call and read in REQUERY_CALLS):
                continue
            key = f"{relation}.{read}"
        else:
            key = relation
        report_at.setdefault(key, node)


def _findings(
    variable: str, iterable: ast.expr, roots: list[ast.AST], context: NodeContext
) -> Iterator[Finding]:
    source = queryset_of(iterable, context)
    if source is None or source.dict_rows or source.loads_unknown or in_test_code(context):
        return
    report_at: dict[str, ast.AST] = {}
    relations = relation_names(source.model, context) if source.model else None
    _loop_findings(variable, source, roots, relations, report_at)
    for key, node in report_at.items():
        relation, _, requery = key.partition(".")
        if requery:
            yield context.report(
                node,
                f"`{variable}.{relation}.{requery}()` inside a loop ignores the prefetched "
                f"`{relation}` and sends one query per row",
                fix=f'prefetch the subset with `Prefetch("{relation}", queryset=..., '
                "to_attr=...)` and read that attribute in the loop",
            )
            continue
        yield context.report(
            node,
            f"`{variable}.{relation}` is read for every row of a queryset that does not load "
            f"`{relation}`: one extra query per row (N+1)",
            fix=f'add `.select_related("{relation}")` (foreign key, one-to-one) or '
            f'`.prefetch_related("{relation}")` (many-to-many, reverse) to the queryset',
        )


@rule.visit(ast.For, ast.AsyncFor)
def loop_over_queryset(node: ast.stmt, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.For, ast.AsyncFor)):
        return
    rows = _rows(node.iter, node.target)
    if rows is None:
        return
    variable, iterable = rows
    yield from _findings(variable, iterable, list(node.body), context)


@rule.visit(ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
def comprehension_over_queryset(node: ast.expr, context: NodeContext) -> Iterator[Finding]:
    if not isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        return
    if isinstance(node, ast.DictComp):
        results: list[ast.AST] = [node.key, node.value]
    else:
        results = [node.elt]
    for index, generator in enumerate(node.generators):
        rows = _rows(generator.iter, generator.target)
        if rows is None:
            continue
        variable, iterable = rows
        later: list[ast.AST] = list(generator.ifs)
        for following in node.generators[index + 1 :]:
            later += [following.iter, *following.ifs]
        yield from _findings(variable, iterable, [*later, *results], context)
