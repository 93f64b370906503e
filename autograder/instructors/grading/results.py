"""What a worker is asked to grade (:class:`Job`) and what it sends back (:class:`SubmissionResult`):
a status, and the reasons in words."""

from dataclasses import dataclass, field
from pathlib import Path

EXIT_CODES = {
    0: "every submission has a trustworthy grade (limits hit cost only the cells concerned)",
    1: "some submission could not be graded or was flagged for tampering: see the summary",
    2: "the run could not start (bad arguments, course set-up) or its workers died (results so far are kept)",
}


class SetupError(RuntimeError):
    """The run cannot start (unknown assignment, no gradebook, ...)."""


class WorkersFailed(RuntimeError):
    """Every worker ended before the run was complete."""


# From best to worst; a submission takes the worst status of its notebooks.
STATUSES = ("graded", "timed out", "killed", "flagged", "failed")
TRUSTED = {"graded", "timed out", "killed"}

# Error names in a graded notebook that say something about the submission.
ERROR_REASONS = {
    "CellTimeoutError": ("timed out", "a cell ran over the {cell_timeout} s cell timeout and was interrupted"),
    "MemoryError": ("graded", "ran out of memory under the {memory} MB cap"),
    "StdinNotImplementedError": ("graded", "asked for input(), which grading does not provide"),
    "SystemExit": ("graded", "called sys.exit()"),
    "PermissionError": ("graded", "tried to reach a file it may not use"),
}
MESSAGE_REASONS = {
    "can't allocate memory": ("killed", "ran out of memory under the {memory} MB cap"),
    "not enough memory": ("killed", "ran out of memory under the {memory} MB cap"),
}


@dataclass(frozen=True)
class Job:
    """One submission to grade, as the parent sends it to a worker (plain fields: it is pickled).
    The digest is computed in the parent, which alone reads the previous run's state."""

    assignment: str
    student: str
    folder: Path
    digest: str
    notebooks: tuple[str, ...]
    files: tuple[str, ...]

    def result(self, notebooks: list | None = None) -> "SubmissionResult":
        """An empty result for this job (``notebooks`` to start with)."""
        return SubmissionResult(self.assignment, self.student, self.digest, notebooks or [])


@dataclass
class NotebookResult:
    """One notebook of a submission, graded (``notebook`` is its JSON) or not (None)."""

    name: str
    notebook: str | None = None
    status: str = "graded"
    reasons: list[str] = field(default_factory=list)

    def note(self, status: str, reason: str) -> None:
        """Add a reason; keep the worse status."""
        if reason not in self.reasons:
            self.reasons.append(reason)
        if STATUSES.index(status) > STATUSES.index(self.status):
            self.status = status


@dataclass
class SubmissionResult:
    """One student's submission of one assignment."""

    assignment: str
    student: str
    digest: str
    notebooks: list[NotebookResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def status(self) -> str:
        return max((n.status for n in self.notebooks), key=STATUSES.index, default="failed")

    @property
    def reasons(self) -> list[str]:
        many = len(self.notebooks) > 1
        return [f"{n.name}: {r}" if many else r for n in self.notebooks for r in n.reasons]
