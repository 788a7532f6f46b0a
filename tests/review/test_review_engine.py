"""The engine itself: one walk, gating, noqa, errors as values, hostile input survived."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from stackskills.detectors.models import PythonTarget, Stack
from stackskills.review.context import FileContext, NodeContext
from stackskills.review.engine import Reviewer, review_source, walk
from stackskills.review.findings import Finding
from stackskills.review.registry import Rule, all_rules, dispatch_table
from stackskills.review.target import ReviewTarget, stack_from_spec

BAD = 'def load():\n    raise Exception("boom")\n'


def test_finding_carries_span_rule_section_and_fix() -> None:
    result = review_source(BAD, filename="app/load.py")
    [finding] = result.findings
    assert (finding.file, finding.line, finding.column) == ("app/load.py", 2, 5)
    assert (finding.end_line, finding.end_column) == (2, 28)
    assert (finding.rule, finding.section) == ("SKS702", "errors.exception-hierarchy")
    assert finding.fix is not None
    assert result.to_dict()["schema"] == "stackskills.review/1"


def test_noqa_with_the_code_or_bare_suppresses_other_codes_do_not() -> None:
    code = (
        "raise Exception('a')  # noqa: SKS702\n"
        "raise Exception('b')  # noqa\n"
        "raise Exception('c')  # noqa: E501\n"
        "raise Exception('d')  # NOQA:SKS101, SKS702\n"
    )
    assert [f.line for f in review_source(code).findings] == [3]


def test_syntax_error_is_an_error_with_line_and_column() -> None:
    result = review_source("def f(:\n    pass\n", filename="broken.py")
    assert result.findings == []
    [error] = result.errors
    assert (error.file, error.line) == ("broken.py", 1)
    assert error.message.startswith("cannot parse: ")


def test_deeply_nested_code_is_reported_not_crashed() -> None:
    code = "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n"
    result = review_source(code, filename="deep.py")
    assert result.findings == []
    assert [e.message for e in result.errors] in (
        ["cannot parse: nested too deeply"],
        ["cannot parse: too many nested parentheses"],
    )


def test_long_but_flat_code_is_walked_without_recursion() -> None:
    code = "x = 0\n" + "x = x + 1\n" * 20_000 + BAD
    result = review_source(code)
    assert [f.line for f in result.findings] == [20_003]


def test_null_bytes_are_an_error() -> None:
    result = review_source("x = 1\x00\n", filename="nul.py")
    assert result.errors and result.errors[0].file == "nul.py"


def test_python_target_comes_from_the_stack_then_the_override() -> None:
    stack = Stack(root="/w", python=PythonTarget(target="3.9"))
    assert Reviewer(stack=stack).review_source("x = 1\n").python == "3.9"
    assert Reviewer(stack=stack, python=(3, 12)).review_source("x = 1\n").python == "3.12"
    assert review_source("x = 1\n").python == "3.14"


def test_select_and_ignore_filter_by_code_prefix() -> None:
    assert Reviewer(select=frozenset({"SKS7"})).review_source(BAD).findings
    assert not Reviewer(select=frozenset({"SKS1"})).review_source(BAD).findings
    assert not Reviewer(ignore=frozenset({"SKS702"})).review_source(BAD).findings


def test_stack_spec_reads_versions_and_specifiers() -> None:
    stack = stack_from_spec("Django, pydantic==1.10.13, sqlalchemy>=2")
    assert [(f.name, f.version, f.specifier) for f in stack.frameworks] == [
        ("django", None, None),
        ("pydantic", "1.10.13", "==1.10.13"),
        ("sqlalchemy", None, ">=2"),
    ]


def test_rule_codes_are_unique_and_every_rule_dispatches_on_node_types() -> None:
    rules = all_rules()
    codes = [rule.code for rule in rules]
    assert len(codes) == len(set(codes))
    assert all(rule.checks for rule in rules)
    table = dispatch_table(rules)
    assert sum(len(pairs) for pairs in table.values()) == sum(
        len(checks) for rule in rules for checks in rule.checks.values()
    )


def test_columns_count_characters_not_utf8_bytes() -> None:
    code = 'def f():\n    message = "żółw"; raise Exception(message)\n'
    [finding] = review_source(code).findings
    assert (finding.line, finding.column) == (2, 23)
    assert finding.end_column == 47


def test_rules_are_skipped_for_files_without_their_trigger_text() -> None:
    rule = next(rule for rule in all_rules() if rule.code == "SKS702")
    assert rule.triggers == ("Exception",)
    assert rule.wants(BAD)
    assert not rule.wants("def load():\n    return 1\n")
    assert review_source("def load():\n    return 1\n").findings == []


def test_a_callee_filter_limits_a_check_to_calls_of_those_names() -> None:
    """``visit(ast.Call, callees=...)``: the walk calls the check only for those callees,
    whether called by name or as a method, and the filter is refused on other node types."""
    rule = Rule(code="SKS999", name="probe", section="checklist", summary="probe")
    seen: list[str] = []

    @rule.visit(ast.Call, callees={"save", "bool"})
    def probe(node: ast.Call, context: NodeContext) -> Iterator[Finding]:
        seen.append(ast.unparse(node.func))
        return iter(())

    tree = ast.parse("obj.save()\nbool(x)\nlen(y)\nobj.delete()\n(lambda: 1)()\n")
    target = ReviewTarget(python=(3, 12), stack=stack_from_spec("django"))
    file = FileContext(filename="probe.py", source="", target=target, tree=tree)
    walk(tree, file, dispatch_table([rule]))
    assert seen == ["obj.save", "bool"]
    with pytest.raises(ValueError, match="callees"):
        rule.visit(ast.Attribute, callees={"x"})


def test_an_attribute_filter_limits_a_check_to_those_attribute_names() -> None:
    rule = Rule(code="SKS998", name="probe", section="checklist", summary="probe")
    seen: list[str] = []

    @rule.visit(ast.Attribute, attributes={"await_count"})
    def probe(node: ast.Attribute, context: NodeContext) -> Iterator[Finding]:
        seen.append(ast.unparse(node))
        return iter(())

    tree = ast.parse("m.await_count\nm.call_count\nm.await_count.real\nawait_count\n")
    target = ReviewTarget(python=(3, 12), stack=stack_from_spec("django"))
    file = FileContext(filename="probe.py", source="", target=target, tree=tree)
    walk(tree, file, dispatch_table([rule]))
    assert seen == ["m.await_count", "m.await_count"]  # the second inside `.real`
    with pytest.raises(ValueError, match="attributes"):
        rule.visit(ast.Call, attributes={"x"})


def test_rules_worked_out_per_deciding_frameworks_equal_the_full_activation() -> None:
    """The reviewer reuses one rule set for files whose imports differ only in libraries no
    gate names; for every mix of imports it must be the set full activation gives."""
    import random

    from stackskills.review.target import deciding_names, target_for, with_imports

    names = [
        "django",
        "djangorestframework",
        "fastapi",
        "starlette",
        "pydantic",
        "sqlalchemy",
        "sqlmodel",
        "flask",
        "flask-sqlalchemy",
        "httpx",
        "pytest",
        "pytest-asyncio",
        "factory-boy",
        "alembic",
        "uvicorn",
        "requests",
        "celery",
        "modelcluster",
        "willow",
        "numpy",
        "boto3",
        "redis",
        "anyio",
    ]
    assert {"django", "fastapi", "pydantic", "sqlalchemy", "flask"} <= deciding_names()
    rng = random.Random(4)
    bases = [
        (None, None),
        (stack_from_spec("django==5.1"), (3, 12)),
        (stack_from_spec("fastapi,pydantic==1.10"), (3, 8)),
        (stack_from_spec("flask,sqlalchemy==1.4"), None),
    ]
    for base, python in bases:
        reviewer = Reviewer(stack=base, python=python)
        for _ in range(150):
            imported = frozenset(rng.sample(names, rng.randint(0, 5)))
            target, _ = reviewer.target(imported)
            full = with_imports(base or Stack(root="<snippet>"), imported, python)
            assert target.rules == target_for(full).rules, (base, imported)
            assert {f.name for f in target.stack.frameworks} >= imported
