"""Run the suite on every core (pytest-xdist, ``--dist loadgroup``), keeping the tests that
share an expensive fixture on one worker, so that it is built once."""

import pytest

# Session fixtures shared across files -> the group that keeps their tests together.
SHARED_FIXTURES = {"built_book": "book", "graded_class": "graded-class"}
# Module fixtures that grade a class (tests/test_grading.py, one per assignment, and
# tests/grading/test_grade_class.py): their tests stay together per module and parameter.
MODULE_CLASS_FIXTURE = "graded"


def group_of(item: pytest.Item) -> str | None:
    """The xdist group of a test, or None when it may run anywhere."""
    names = getattr(item, "fixturenames", ())
    for fixture, group in SHARED_FIXTURES.items():
        if fixture in names:
            return group
    if MODULE_CLASS_FIXTURE in names:
        callspec = getattr(item, "callspec", None)
        param = callspec.params.get(MODULE_CLASS_FIXTURE) if callspec else None
        return f"{item.module.__name__}-{param or 'class'}"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test that shares an expensive fixture with its group."""
    for item in items:
        if (group := group_of(item)) is not None:
            item.add_marker(pytest.mark.xdist_group(group))
