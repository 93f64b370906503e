"""Write each chapter's ``recorded.pt``: what its visible checks need from the answers' side.

A chapter's visible checks (``checks.py``) hold no reference code and no known mistake:
they read the references' results and the mistakes' behaviour from the chapter's
``recorded.pt`` (see :mod:`autograder.runtime.recorded`). This module writes that file by
running every visible check with the instructor's solution (run from the solution
notebook), the real references and every known mistake of the chapter. It fails when the
solution does not pass a visible check: the recording would hold a wrong expectation.
"""

import hashlib
from collections.abc import Callable
from pathlib import Path

import nbformat
import torch

from autograder import chapters
from autograder.instructors.course import REPO
from autograder.instructors.submissions import run_code_cells
from autograder.runtime.compare import CheckFailure
from autograder.runtime.diagnosis import paste, twin_calls, without_traceback
from autograder.runtime.mistakes import mistakes_in
from autograder.runtime.recorded import Call, RecordedMistake, as_data, fixed_random_state, same


class RecordError(RuntimeError):
    """The solution fails a visible check, or a check's inputs are not fixed."""


def solution_namespace(key: str, root: Path = REPO) -> dict:
    """The globals of chapter ``key``'s solution notebook, its code cells run (tests left out)."""
    return run_code_cells(nbformat.read(root / "solutions" / key / f"{key}.ipynb", as_version=4))


def visible_checks(key: str) -> dict[str, Callable]:
    """The chapter's visible checks by exercise: ``check_<exercise>`` of its ``checks``."""
    module = chapters.part(key, "checks")
    return {name.removeprefix("check_"): check for name, check in vars(module).items() if name.startswith("check_")}


def failure_of(check: Callable, answer) -> str | None:
    """The message ``check`` (undecorated) fails with on ``answer`` from the fixed random state, or None."""
    try:
        with fixed_random_state():
            check(answer)
    except CheckFailure as failure:
        return without_traceback(str(failure))
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def _unique(calls: list[Call]) -> list[Call]:
    """One call per distinct argument list (the mistakes' runs repeat the solution's calls)."""
    kept: list[Call] = []
    for call in calls:
        if not any(same(k.args, call.args) and same(k.kwargs, call.kwargs) for k in kept):
            kept.append(call)
    return kept


def sources_digest(key: str, root: Path = REPO) -> str:
    """A digest of what chapter ``key``'s recording is made from: the runtime, the chapter's
    checks, references and known mistakes (their "read more" texts, from the book, included)
    and its solution notebook. A recording whose digest differs is stale."""
    chapter = root / "autograder" / "chapters" / key
    files = [
        *sorted((root / "autograder" / "runtime").glob("*.py")),
        *(chapter / f"{name}.py" for name in ("checks", "reference", "mistakes")),
        root / "solutions" / key / f"{key}.ipynb",
    ]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for mistake in mistakes_in(chapters.part(key, "mistakes")):
        digest.update(f"{mistake.name}: {mistake.read_more}\0".encode())
    return digest.hexdigest()


def record(key: str, root: Path = REPO) -> dict:
    """The contents of chapter ``key``'s ``recorded.pt``."""
    checks, reference = chapters.part(key, "checks"), chapters.part(key, "reference")
    mistakes = chapters.part(key, "mistakes")
    namespace, found = solution_namespace(key, root), {}
    with checks.expected.recording(reference) as session:
        for exercise, check in visible_checks(key).items():
            bare, answer = check.__wrapped__, namespace[exercise]
            if (problem := failure_of(bare, answer)) is not None:
                raise RecordError(f"{key}: the solution fails check_{exercise}: {problem}")
            for mistake in mistakes_in(mistakes, exercise):
                candidate = paste(mistake, answer)
                if (failure := failure_of(bare, candidate)) is None:
                    continue
                exact = getattr(reference, exercise, None) if check.twins else None
                calls = twin_calls(bare, answer, candidate, exact) if exact is not None else []
                texts = {k: getattr(mistake, k) for k in ("exercise", "name", "summary", "hint", "read_more", "links")}
                found.setdefault(f"check_{exercise}", []).append(RecordedMistake(**texts, failure=failure, calls=calls))
    calls = {name: _unique(entries) for name, entries in session["reference_calls"].items()}
    return {**as_data(calls, found), "sources": sources_digest(key, root)}


def write(key: str, root: Path = REPO) -> Path:
    """Record chapter ``key`` into its package's ``recorded.pt``; return the path."""
    path = chapters.part(key, "checks").expected.path
    torch.save(record(key, root), path)
    return path


if __name__ == "__main__":  # python -m autograder.instructors.record KEY ...: as `cnn-course record KEY ...`
    import sys

    for key in sys.argv[1:] or chapters.KEYS:
        print(f"recorded {write(key).relative_to(REPO)}")
