"""A broken skill folder is reported problem by problem as ``file:line: message``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stackskills.skills.validate import validate_path


def section(section_id: str, applies_to: str = "[python]", extra: str = "", body: str = "") -> str:
    return (
        f"---\nid: {section_id}\ntitle: A demo section\nsummary: One line.\n"
        f"applies_to: {applies_to}\n{extra}---\n\n{body or 'Some advice.'}\n"
    )


def messages(path: Path) -> list[str]:
    return [str(problem) for problem in validate_path(path)]


def test_well_formed_skill_has_no_problems(make_skill: Callable[..., Path]) -> None:
    assert messages(make_skill()) == []


def test_bad_yaml_names_the_line(make_skill: Callable[..., Path]) -> None:
    folder = make_skill(sections={"demo.topic": section("demo.topic", extra="tags: [a, b\n")})
    [message] = messages(folder)
    assert message.startswith("demo/sections/demo.topic.md:7: invalid YAML in front matter: ")
    assert "expected ',' or ']'" in message


def test_missing_front_matter_is_reported_on_line_one(make_skill: Callable[..., Path]) -> None:
    folder = make_skill(sections={"demo.topic": "# Just a heading\n"})
    assert messages(folder) == [
        "demo/sections/demo.topic.md:1: no YAML front matter: the file must start with a '---' line"
    ]


def test_unknown_field_names_its_line(make_skill: Callable[..., Path]) -> None:
    folder = make_skill(sections={"demo.topic": section("demo.topic", extra="colour: blue\n")})
    assert messages(folder) == ["demo/sections/demo.topic.md:6: unknown field 'colour'"]


def test_missing_field_is_named(make_skill: Callable[..., Path]) -> None:
    text = "---\nid: demo.topic\ntitle: T\napplies_to: [python]\n---\n\nBody.\n"
    folder = make_skill(sections={"demo.topic": text})
    assert messages(folder) == ["demo/sections/demo.topic.md:1: missing required field 'summary'"]


def test_duplicate_section_id_names_both_files(make_skill: Callable[..., Path]) -> None:
    folder = make_skill(sections={"demo.one": section("demo.one"), "demo.two": section("demo.one")})
    assert messages(folder) == [
        "demo/sections/demo.two.md:2: id 'demo.one' must equal the file name 'demo.two' "
        "without '.md'",
        "demo/sections/demo.two.md:2: duplicate section id 'demo.one' "
        "(also in demo/sections/demo.one.md)",
    ]


def test_bad_requirement_string_names_the_item_line(make_skill: Callable[..., Path]) -> None:
    applies = "\n  - django>=4.2\n  - flask>>2\n"
    folder = make_skill(sections={"demo.topic": section("demo.topic", applies_to=applies)})
    [message] = messages(folder)
    assert message.startswith(
        "demo/sections/demo.topic.md:7: field 'applies_to[1]': bad requirement string 'flask>>2'"
    )


def test_requirement_with_marker_is_refused(make_skill: Callable[..., Path]) -> None:
    applies = "[\"django; python_version>'3'\"]"
    folder = make_skill(sections={"demo.topic": section("demo.topic", applies_to=applies)})
    [message] = messages(folder)
    assert "only a name and a version specifier are allowed" in message
    assert message.startswith("demo/sections/demo.topic.md:5: ")


def test_broken_link_names_its_line(make_skill: Callable[..., Path]) -> None:
    body = "Intro.\n\nSee [the other one](demo.missing.md) and [ok](demo.topic.md).\n"
    folder = make_skill(sections={"demo.topic": section("demo.topic", body=body)})
    assert messages(folder) == ["demo/sections/demo.topic.md:10: broken link: demo.missing.md"]


def test_link_out_of_the_skill_folder_is_broken(make_skill: Callable[..., Path]) -> None:
    body = "See [secrets](../../../etc/passwd).\n"
    folder = make_skill(sections={"demo.topic": section("demo.topic", body=body)})
    assert messages(folder) == ["demo/sections/demo.topic.md:8: broken link: ../../../etc/passwd"]


def test_example_must_parse_at_the_lowest_gated_python(make_skill: Callable[..., Path]) -> None:
    body = (
        "```python good\n"
        "def describe(value: object) -> str:\n"
        "    match value:\n"
        "        case int():\n"
        "            return 'int'\n"
        "    return 'other'\n"
        "```\n"
    )
    old = make_skill(name="old", sections={"demo.topic": section("demo.topic", body=body)})
    new = make_skill(
        name="new",
        sections={"demo.topic": section("demo.topic", applies_to='["python>=3.10"]', body=body)},
    )
    assert messages(old) == [
        "old/sections/demo.topic.md:13: example does not parse on Python 3.8: "
        "Pattern matching is only supported in Python 3.10 and greater"
    ]
    assert messages(new) == []


def test_variant_gate_raises_the_python_floor(make_skill: Callable[..., Path]) -> None:
    variants = (
        "variants:\n"
        '  - name: modern\n    applies_to: ["python>=3.11"]\n'
        '  - name: legacy\n    applies_to: ["python<3.11"]\n'
    )
    body = (
        "<!-- variant: modern -->\n```python good\nasync def main() -> None:\n"
        "    try:\n        pass\n    except* ValueError:\n        pass\n```\n"
        "<!-- /variant -->\n<!-- variant: legacy -->\n```python good\n"
        "async def main() -> None:\n    try:\n        pass\n    except* ValueError:\n"
        "        pass\n```\n<!-- /variant -->\n"
    )
    folder = make_skill(sections={"demo.topic": section("demo.topic", extra=variants, body=body)})
    [message] = messages(folder)
    assert message.startswith(
        "demo/sections/demo.topic.md:28: example does not parse on Python 3.8"
    )


def test_bad_example_needs_a_good_one_after_it(make_skill: Callable[..., Path]) -> None:
    body = "```python bad\nx = 1\n```\n\n```python bad\ny = 2\n```\n\n```python good\nz = 3\n```\n"
    folder = make_skill(sections={"demo.topic": section("demo.topic", body=body)})
    assert messages(folder) == [
        "demo/sections/demo.topic.md:8: bad example has no good counterpart after it"
    ]


def test_shared_bad_example_is_answered_by_a_good_one_in_every_variant(
    make_skill: Callable[..., Path],
) -> None:
    variants = (
        "variants:\n"
        '  - name: modern\n    applies_to: ["python>=3.11"]\n'
        '  - name: legacy\n    applies_to: ["python<3.11"]\n'
    )
    good = "```python good\nz = 3\n```\n"
    both = (
        "```python bad\nx = 1\n```\n<!-- variant: modern -->\n" + good + "<!-- /variant -->\n"
        "<!-- variant: legacy -->\n" + good + "<!-- /variant -->\n"
    )
    one = "```python bad\nx = 1\n```\n<!-- variant: modern -->\n" + good + "<!-- /variant -->\n"
    one += "<!-- variant: legacy -->\nText.\n<!-- /variant -->\n"
    answered = make_skill(
        name="both", sections={"demo.a": section("demo.a", extra=variants, body=both)}
    )
    unanswered = make_skill(
        name="one", sections={"demo.a": section("demo.a", extra=variants, body=one)}
    )
    assert messages(answered) == []
    assert messages(unanswered) == [
        "one/sections/demo.a.md:13: bad example has no good counterpart after it"
    ]


def test_variant_blocks_must_match_the_declared_variants(make_skill: Callable[..., Path]) -> None:
    variants = 'variants:\n  - name: modern\n    applies_to: ["python>=3.11"]\n'
    body = "<!-- variant: modrn -->\nText.\n<!-- /variant -->\n<!-- variant: x -->\nOpen.\n"
    folder = make_skill(sections={"demo.topic": section("demo.topic", extra=variants, body=body)})
    assert messages(folder) == [
        "demo/sections/demo.topic.md:16: variant block 'x' is not closed",
        "demo/sections/demo.topic.md:11: variant 'modrn' is not declared",
        "demo/sections/demo.topic.md:14: variant 'x' is not declared",
        "demo/sections/demo.topic.md: variant 'modern' has no block in the body",
    ]


def test_skill_name_must_match_folder_and_agent_skills_rules(tmp_path: Path) -> None:
    folder = tmp_path / "my-skill"
    (folder / "sections").mkdir(parents=True)
    (folder / "SKILL.md").write_text(
        "---\nname: My_Skill\ndescription: ''\nversion: '1.0'\nlicense: MIT\n---\n\nHi.\n"
    )
    found = messages(folder)
    assert found[0].startswith("my-skill/SKILL.md:2: field 'name': String should match pattern")
    assert found[1].startswith(
        "my-skill/SKILL.md:3: field 'description': String should have at least 1"
    )
    assert found[2].startswith("my-skill/SKILL.md:4: field 'version': String should match pattern")
    assert len(found) == 3


def test_skill_name_differing_from_folder_is_reported(
    make_skill: Callable[..., Path], tmp_path: Path
) -> None:
    folder = make_skill(name="demo")
    text = (folder / "SKILL.md").read_text().replace("name: demo", "name: other")
    (folder / "SKILL.md").write_text(text)
    assert messages(folder) == ["demo/SKILL.md:2: name 'other' must equal the folder name 'demo'"]


def test_unlinked_section_is_reported(make_skill: Callable[..., Path]) -> None:
    folder = make_skill()
    (folder / "sections" / "demo.extra.md").write_text(section("demo.extra"))
    assert messages(folder) == ["demo/SKILL.md: section 'demo.extra' is not linked from SKILL.md"]


def test_undecodable_section_is_a_problem_not_a_crash(make_skill: Callable[..., Path]) -> None:
    folder = make_skill()
    (folder / "sections" / "demo.binary.md").write_bytes(b"---\nid: x\n\xff\xfe\x00\n")
    assert messages(folder) == ["demo/sections/demo.binary.md:3: not valid UTF-8"]


def test_folder_without_skills_is_reported(tmp_path: Path) -> None:
    assert messages(tmp_path) == [f"{tmp_path}: no SKILL.md here or in its folders"]
