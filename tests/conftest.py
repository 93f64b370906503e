"""How the suite is spread over the cores (pytest-xdist): one expensive fixture, one worker.

xdist's ``loadscope`` keeps the tests of a module on one worker. Two changes make it fit
this suite: modules that share a session fixture form one unit (so it is made once), and
the nbgrader round trips of test_grading.py form one unit per assignment (so they run on
every core). The slow units go first, so that no worker is left with a long one at the end.
"""

import re

import pytest
from xdist.scheduler import LoadScopeScheduling

# Test files that share a session-scoped fixture, by the unit they run in.
SHARED_FIXTURE_UNITS = {
    "tests/book/test_build.py": "the book (built once, tests/book/conftest.py)",
    "tests/book/test_browser.py": "the book (built once, tests/book/conftest.py)",
    "tests/grading/test_report.py": "the graded class (tests/grading/conftest.py)",
    "tests/grading/test_formgrader.py": "the graded class (tests/grading/conftest.py)",
}
# Test files whose module-scoped fixture is parametrized: one unit per parameter.
PER_PARAMETER_UNITS = {"tests/test_grading.py"}
PARAMETER = re.compile(r"\[(?P<id>[^\]]+)\]$")


class SharedFixtureScheduling(LoadScopeScheduling):
    """``--dist loadscope`` with the units above."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        if path in SHARED_FIXTURE_UNITS:
            return SHARED_FIXTURE_UNITS[path]
        parameter = PARAMETER.search(nodeid)
        if path in PER_PARAMETER_UNITS and parameter:
            return f"{path}[{parameter['id']}]"
        return super()._split_scope(nodeid)


def pytest_xdist_make_scheduler(config, log):
    """Schedule with :class:`SharedFixtureScheduling` (units in collection order)."""
    config.option.loadscopereorder = False
    return SharedFixtureScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slow tests first, keeping the order within each group."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
