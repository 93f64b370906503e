"""Fast checks of the grader's parts: the code scan, the summary's exit status, the limits' options."""

import argparse
from pathlib import Path

import nbformat
import pytest

from autograder.chapters import all_mistakes
from autograder.instructors.grading import limits
from autograder.instructors.grading.results import NotebookResult, SubmissionResult
from autograder.instructors.grading.run import Summary
from autograder.instructors.grading.scan import scan
from autograder.instructors.submissions import answers

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((REPO / "solutions").glob("*/*.ipynb"))


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_the_scan_finds_nothing_in_the_solutions(path):
    """An honest, correct answer is never flagged."""
    assert scan(answers(nbformat.read(path, as_version=4))) == []


def test_the_scan_finds_nothing_in_the_known_mistakes():
    """An honest wrong answer is never flagged either."""
    flagged = {m.name: scan({m.exercise: m.source}) for m in all_mistakes()}
    assert not {name: found for name, found in flagged.items() if found}


@pytest.mark.parametrize(
    "code, finding",
    [
        ("import torch\ntorch.allclose = lambda *a: True", "changes torch.allclose"),
        ("import torch.testing as tt\ntt.assert_close = print", "changes tt.assert_close"),
        ("from autograder.runtime import compare\ncompare.assert_matches = print", "changes compare.assert_matches"),
        (
            "import autograder\nsetattr(autograder.runtime.compare, 'assert_matches', print)",
            "sets an attribute by name",
        ),
        ("get_ipython().set_custom_exc((Exception,), print)", "IPython's handling of cells"),
        ("import sys\nsys.excepthook = print", "changes sys.excepthook"),
        ("get_ipython().events.register('post_run_cell', print)", "IPython's handling of cells"),
        ("import os\nos._exit(0)", "os._exit"),
        ("open('../../gradebook.db')", "refers to the course's files"),
    ],
)
def test_the_scan_finds_tampering(code, finding):
    found = scan({"answer": code})
    assert any(finding in line for line in found), found


def _result(status: str) -> SubmissionResult:
    return SubmissionResult("a", status, "digest", [NotebookResult("a", status=status)])


@pytest.mark.parametrize(
    "statuses, code",
    [
        (["graded", "timed out", "killed"], 0),
        (["graded", "flagged"], 1),
        (["failed"], 1),
    ],
)
def test_exit_status(statuses, code):
    """0 only when every grade can be trusted; limits hit still give trustworthy grades."""
    assert Summary(graded=[_result(s) for s in statuses]).exit_code == code


def test_unchanged_submissions_count_in_the_exit_status():
    summary = Summary(unchanged=[("a", "s", {"digest": "d", "status": "flagged", "reasons": ["x"]})])
    assert summary.exit_code == 1 and "flagged" in summary.lines()[1]


def test_each_limit_is_an_option_with_help():
    parser = argparse.ArgumentParser()
    limits.add_arguments(parser)
    args = parser.parse_args(["--memory", "256", "--workers", "3"])
    chosen = limits.from_arguments(args, cell_timeout=7)
    assert (chosen.memory, chosen.workers, chosen.cell_timeout, chosen.wall_time) == (256, 3, 7, 600)
    assert all(action.help for action in parser._actions)
