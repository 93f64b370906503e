"""Nothing outlives a grading run: a run killed midway leaves no process and no folder once
the next run has started, and the next run finishes its work, each submission graded once."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from course import Course
from nbgrader.api import Gradebook
from runs import command, environment, grade

from autograder.instructors.grading import leftovers
from autograder.instructors.grading.kernels import (
    BLOCK_FOLDER,
    UID_BASE,
    UID_BLOCKS,
    UIDS_PER_WORKER,
    ZYGOTE,
    claimed_uids,
    processes,
    start_time,
)
from autograder.instructors.grading.state import state_file
from autograder.instructors.submissions import solved

ASSIGNMENT = "ch01_autograd"
STUDENTS = [f"student-{number}" for number in range(8)]
SOLVED = set(STUDENTS[::2])  # the others hand in the blank exercise
KILL_AFTER = 2  # submissions graded when the run is killed


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError):
        return None


def descendants(pid: int) -> set[tuple[int, str]]:
    """(pid, start time) of every process below ``pid``."""
    parents = {process: _parent(process.pid) for process in processes()}
    below, found = {pid}, set()
    while new := {p for p, parent in parents.items() if parent in below and p.pid not in below}:
        below |= {p.pid for p in new}
        found |= {(p.pid, p.start) for p in new}
    return found


def graded_so_far(course: Course) -> int:
    return len(course.submissions("autograded", ASSIGNMENT))


class KilledRun:
    """A class whose first grading run was killed with SIGKILL, process group and all, once
    KILL_AFTER submissions were graded; what it left; the second run."""

    def __init__(self, root: Path) -> None:
        self.course = Course(root)
        self.course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
        release, solution = self.course.read("release", ASSIGNMENT), self.course.read("source", ASSIGNMENT)
        for student in STUDENTS:
            self.course.submit(student, ASSIGNMENT, solved(release, solution) if student in SOLVED else release)
        self.log = root.with_name(f"{root.name}-first-run.log")
        with open(self.log, "w") as log:
            first = subprocess.Popen(command(root), env=environment(), start_new_session=True, stdout=log, stderr=log)
        self.folders: set[Path] = set()
        self.uids: set[int] = set()
        self.processes = self._watch_until_killed(first)
        self.outlived = self._alive_after(10)
        record = state_file(self.course)
        self.recorded = set(json.loads(record.read_text())) if record.exists() else set()
        self.second = grade(root)

    def _alive_after(self, seconds: float) -> list[tuple[int, str]]:
        """The first run's processes still alive ``seconds`` after it was killed (before any sweep)."""
        deadline = time.monotonic() + seconds
        while True:
            alive = [(pid, start) for pid, start in self.processes if start_time(pid) == start]
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.1)

    def _watch(self, run: subprocess.Popen, seen: set[tuple[int, str]]) -> None:
        """Note the run's processes, scratch folders and claimed uids (while it lives: once it is
        dead, a concurrent run's sweep may remove its folders at any moment, as it should)."""
        seen |= descendants(run.pid)
        self.folders |= set(Path(tempfile.gettempdir()).glob(f"{leftovers.PREFIX}{run.pid}.*"))
        self.uids |= set().union(*(claimed_uids(folder) for folder in self.folders))

    def _watch_until_killed(self, run: subprocess.Popen) -> set[tuple[int, str]]:
        """Record the run's processes until KILL_AFTER submissions are graded, then kill it."""
        seen: set[tuple[int, str]] = set()
        deadline = time.monotonic() + 300
        while graded_so_far(self.course) < KILL_AFTER:
            assert run.poll() is None, f"the run ended before it could be killed:\n{self.log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, "nothing was graded in 300 s"
            self._watch(run, seen)
            time.sleep(0.25)
        self._watch(run, seen)
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        assert graded_so_far(self.course) < len(STUDENTS), "the run finished before it was killed"
        return seen


@pytest.fixture(scope="module")
def killed(tmp_path_factory) -> KilledRun:
    return KilledRun(tmp_path_factory.mktemp("killed"))


@pytest.mark.slow
def test_the_second_run_grades_what_the_first_did_not_finish(killed):
    """Submissions the first run recorded are not graded again; all the others are, once."""
    assert killed.second.returncode == 0, killed.second.stdout + killed.second.stderr[-3000:]
    done = len(killed.recorded)
    assert killed.second.stdout.startswith(f"{len(STUDENTS) - done} graded now, {done} unchanged"), killed.second.stdout


@pytest.mark.slow
def test_gradebook_autograded_folder_and_state_agree(killed):
    """Every student has one submission in the gradebook with the right score, one autograded
    notebook and one entry in the run's record."""
    course = killed.course
    with Gradebook(course.db_url) as gradebook:
        scores = {s.student.id: (s.score, s.max_score) for s in gradebook.assignment_submissions(ASSIGNMENT)}
    assert set(scores) == set(STUDENTS)
    written = 2  # ch01_autograd's written answer, graded by hand
    assert {s for s, (score, best) in scores.items() if score == best - written} == SOLVED
    assert {s for s, (score, _) in scores.items() if score == 0} == set(STUDENTS) - SOLVED
    assert set(course.submissions("autograded", ASSIGNMENT)) == set(STUDENTS)
    for student in STUDENTS:
        assert course.notebook("autograded", ASSIGNMENT, student).is_file()
    recorded = json.loads(state_file(course).read_text())
    assert set(recorded) == {f"{ASSIGNMENT}/{student}" for student in STUDENTS}
    assert {entry["status"] for entry in recorded.values()} == {"graded"}


@pytest.mark.slow
def test_kernels_die_with_their_grader(killed):
    """The kernels, in sessions of their own, are not in the killed process group: they die
    with their zygote, which dies with its worker (the parent-death signal), sweep or not."""
    assert not killed.outlived, f"processes of the killed run outlived it: {killed.outlived}"


@pytest.mark.slow
def test_nothing_of_the_first_run_is_left(killed):
    """No process of the first run (workers, zygotes, kernels under their sandbox uids) and no
    scratch folder of it remain once the second run has started."""
    assert killed.processes and killed.uids, "the first run was not seen at work"
    assert killed.folders, "the first run had no scratch folder"
    alive = [(pid, start) for pid, start in killed.processes if start_time(pid) == start]
    assert not alive, f"processes of the killed run still run: {alive}"
    running = processes()
    assert not [p for p in running if p.uid in killed.uids], "processes under the killed run's sandbox uids"
    zygotes = [p for p in running if ZYGOTE in p.argv]
    assert not [p for p in zygotes if any(folder.name in " ".join(p.argv) for folder in killed.folders)]
    assert not [folder for folder in killed.folders if folder.exists()]


def _block(index: int) -> int:
    """The first uid of a block that no grading worker gets here (worker pids are far below)."""
    return UID_BASE + (UID_BLOCKS - 1 - index) * UIDS_PER_WORKER


@pytest.mark.skipif(os.geteuid() != 0, reason="sandbox user ids need root")
def test_the_sweep_clears_dead_runs_and_leaves_live_ones():
    """A dead run's stray sandbox process, zygote and folder go; a live run's process and folder,
    and a folder whose owner cannot be told, stay."""
    live = leftovers.make_scratch()
    dead = Path(tempfile.mkdtemp(prefix=f"{leftovers.PREFIX}{os.getpid()}.1-"))  # this pid, not this process
    unknown = Path(tempfile.mkdtemp(prefix=leftovers.PREFIX))
    started: list[subprocess.Popen] = []
    try:
        for folder, first in ((live, _block(0)), (dead, _block(1))):
            (folder / f"{BLOCK_FOLDER}{first}").mkdir()
        for uid in (_block(0), _block(1)):
            started.append(subprocess.Popen(["sleep", "600"], user=uid, group=uid))
        started.append(
            subprocess.Popen(
                [sys.executable, "-m", ZYGOTE, str(dead / "status"), str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        kept, stray, zygote = started
        assert leftovers.owner_alive(live) and not leftovers.owner_alive(dead) and leftovers.owner_alive(unknown)
        leftovers.sweep()
        assert stray.wait(timeout=30) == -signal.SIGKILL
        assert zygote.wait(timeout=30) == -signal.SIGKILL
        assert kept.poll() is None
        assert live.exists() and unknown.exists() and not dead.exists()
    finally:
        for process in started:
            process.kill()
            process.wait()
        for folder in (live, dead, unknown):
            shutil.rmtree(folder, ignore_errors=True)
