from stackskills.detectors.manifests.scopes import (
    scope_for_extra,
    scope_for_group,
    scope_for_requirements_file,
)


def test_requirements_file_scope_follows_its_name_and_folder() -> None:
    assert scope_for_requirements_file("requirements.txt") == "runtime"
    assert scope_for_requirements_file("requirements/base.txt") == "runtime"
    assert scope_for_requirements_file("requirements/dev.txt") == "dev"
    assert scope_for_requirements_file("requirements-test.txt") == "dev"
    assert scope_for_requirements_file("docs/requirements.txt") == "dev"
    assert scope_for_requirements_file("requirements_optional.txt") == "optional"


def test_extras_are_optional_unless_named_for_development() -> None:
    assert scope_for_extra("postgres") == "optional"
    assert scope_for_extra("test") == "dev"
    assert scope_for_extra("docs") == "dev"


def test_groups_are_runtime_for_main_dev_by_name_else_optional_features() -> None:
    assert scope_for_group("main") == "runtime"
    assert scope_for_group("lint") == "dev"
    assert scope_for_group("test-integration") == "dev"
    assert scope_for_group("ldap3") == "optional"
