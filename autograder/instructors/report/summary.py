"""The numbers the report shows, computed from :class:`~autograder.instructors.report.collect.ClassResults`.

Pass rates, failed checks and known mistakes count graded submissions only: a submission
that could not be graded is listed with the limits instead.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from autograder.chapters import mistakes_for
from autograder.instructors.report.collect import Check, ClassResults
from autograder.runtime.diagnosis import recognised_mistakes

HIDDEN_PREAMBLE = "Hidden check "


@dataclass(frozen=True)
class Rate:
    """How many of ``total`` graded submissions got an exercise (or a check) right."""

    name: str
    passed: int
    total: int

    @property
    def fraction(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class FailedCheck:
    """A check (test cell) that failed ``failures`` times, with the gist of its most frequent message."""

    assignment: str
    grade_id: str
    failures: int
    total: int
    message: str


def score_fractions(results: ClassResults, assignment: str) -> list[float]:
    """Every student's total on ``assignment`` as a fraction of its maximum (gradebook scores)."""
    return [s.score / s.max_score for s in results.submissions if s.assignment == assignment and s.max_score]


def _checks(results: ClassResults, assignment: str | None = None) -> list[Check]:
    return [c for c in results.checks if assignment is None or c.assignment == assignment]


def exercise_pass_rates(results: ClassResults, assignment: str) -> list[Rate]:
    """Per exercise, in notebook order: the submissions that passed every check of it."""
    passed: dict[str, dict[str, bool]] = defaultdict(dict)
    for check in _checks(results, assignment):
        previous = passed[check.exercise].get(check.student, True)
        passed[check.exercise][check.student] = previous and check.passed
    return [Rate(exercise, sum(by_student.values()), len(by_student)) for exercise, by_student in passed.items()]


def gist(message: str) -> str:
    """The line of a check's message that says what is wrong: the first one, after the
    "Hidden check k of n failed (grading seed ...)" line of hidden checks (``-`` if none)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return next((line for line in lines if not line.startswith(HIDDEN_PREAMBLE)), "-")


def most_failed_checks(results: ClassResults, top: int = 10) -> list[FailedCheck]:
    """The checks that failed most often, with the gist of their most frequent message."""
    by_check: dict[tuple[str, str], list[Check]] = defaultdict(list)
    for check in results.checks:
        by_check[check.assignment, check.grade_id].append(check)
    failed = []
    for (assignment, grade_id), checks in by_check.items():
        messages = Counter(gist(c.message) for c in checks if not c.passed)
        if messages:
            failed.append(
                FailedCheck(assignment, grade_id, sum(messages.values()), len(checks), messages.most_common(1)[0][0])
            )
    return sorted(failed, key=lambda f: (-f.failures, f.assignment, f.grade_id))[:top]


def known_mistakes(results: ClassResults, assignment: str) -> dict[str, Counter]:
    """Per exercise: how many students made each known mistake (by its summary), as the
    failed checks' messages name them."""
    students: dict[tuple[str, str], set[str]] = defaultdict(set)
    for check in _checks(results, assignment):
        if not check.passed:
            for mistake in recognised_mistakes(check.message, mistakes_for(check.exercise)):
                students[check.exercise, mistake.summary].add(check.student)
    counts: dict[str, Counter] = defaultdict(Counter)
    for (exercise, summary), who in students.items():
        counts[exercise][summary] = len(who)
    return dict(counts)
