"""How the suite is spread over the cores (pytest-xdist): one expensive fixture, one worker.

xdist's ``loadscope`` keeps the tests of a module on one worker. Three changes make it fit
this suite: modules that share a session fixture form one unit (so it is made once), the
nbgrader round trips of test_grading.py form one unit per assignment, and the generic tests
of test_checks.py and test_exercises.py one unit per chapter (so that they spread over every
core). The slow units go first, so that no worker is left with a long one at the end.

Each worker runs PyTorch on one thread: the workers already keep every core busy, and torch's
own thread pool in each of them would only fight the others for the cores (the unit tests took
twice as long). The variables are set before anything imports torch, and reach the notebooks'
kernels that the tests start.
"""

import os
import re

import pytest
from xdist.scheduler import LoadScopeScheduling

if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)

# Test files that share a session-scoped fixture, by the unit they run in.
SHARED_FIXTURE_UNITS = {
    "tests/book/test_build.py": "the book (built once, tests/book/conftest.py)",
    "tests/book/test_browser.py": "the book (built once, tests/book/conftest.py)",
    "tests/book/test_repository_links.py": "the book (built once, tests/book/conftest.py)",
    "tests/book/test_references.py": "the book (built once, tests/book/conftest.py)",
    "tests/grading/test_report.py": "the graded class (tests/grading/conftest.py)",
    "tests/grading/test_formgrader.py": "the graded class (tests/grading/conftest.py)",
}
# Test files whose module-scoped fixture is parametrized: one unit per parameter of the fixture
# (the first part of the test id: tests parametrized further stay in their fixture's unit).
PER_PARAMETER_UNITS = {"tests/test_grading.py"}
PARAMETER = re.compile(r"\[(?P<id>[^\]]+)\]$")
# Test files parametrized over every chapter (test ids start with the chapter key): one unit per chapter.
PER_CHAPTER_UNITS = {"tests/test_checks.py", "tests/test_exercises.py", "tests/test_properties.py"}
CHAPTER = re.compile(r"\[(?P<key>ch\d\d_[a-z0-9_]+?)(?=[-\]])")


class SharedFixtureScheduling(LoadScopeScheduling):
    """``--dist loadscope`` with the units above."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        if path in SHARED_FIXTURE_UNITS:
            return SHARED_FIXTURE_UNITS[path]
        parameter = PARAMETER.search(nodeid)
        if path in PER_PARAMETER_UNITS and parameter:
            return f"{path}[{parameter['id'].split('-')[0]}]"
        chapter = CHAPTER.search(nodeid)
        if path in PER_CHAPTER_UNITS and chapter:
            return f"{path}[{chapter['key']}]"
        return super()._split_scope(nodeid)


def pytest_xdist_make_scheduler(config, log):
    """Schedule with :class:`SharedFixtureScheduling` (units in collection order)."""
    config.option.loadscopereorder = False
    return SharedFixtureScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slow tests first, keeping the order within each group."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
