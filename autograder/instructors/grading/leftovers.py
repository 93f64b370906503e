"""What a killed grading run leaves behind, and the sweep that clears it at the start of every run.

A run that ends normally removes its scratch folder and kills its kernels. One that is
killed (SIGKILL, a lost terminal, the machine's out-of-memory killer) cannot: its zygotes
and kernels die with it (the parent-death signal), but its scratch folder stays, and so
may processes that escaped the signal (a kernel's own children, a kernel that cleared it).

The sweep tells dead runs from live ones without a lock: a run's scratch folder is named
after its owner process, pid and start time, so a later run sees whether that process still
exists. It then kills the zygotes whose run is dead and the processes of the uid blocks that
only dead runs claimed, and removes the dead runs' folders. A live run, such as another
instructor's or another test's, is never touched, nor is a folder or process whose owner it
cannot tell.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

from autograder.instructors.grading.kernels import ZYGOTE, claimed_uids, kill, processes, start_time

PREFIX = "cnn-course-grading-"
_OWNER = re.compile(rf"{PREFIX}(?P<pid>\d+)\.(?P<start>\d+)-")


def make_scratch() -> Path:
    """A new scratch folder for this run, named after this process."""
    me = os.getpid()
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{me}.{start_time(me)}-"))


def owner_alive(folder: Path) -> bool:
    """Whether the process that made this scratch folder still runs (True when the name does not say)."""
    owner = _OWNER.match(folder.name)
    return owner is None or start_time(int(owner["pid"])) == owner["start"]


def _run_of_zygote(argv: tuple[str, ...]) -> Path | None:
    """The scratch folder of the run a zygote serves (None when ``argv`` is not a zygote's)."""
    if len(argv) >= 4 and argv[1:3] == ("-m", ZYGOTE):
        return Path(argv[3]).parent
    return None


def sweep() -> None:
    """Kill what dead runs left running, then remove their scratch folders."""
    running = processes()  # before the claims are read: a kernel seen here was claimed already
    folders = [path for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*") if path.is_dir()]
    dead = [folder for folder in folders if not owner_alive(folder)]
    live_uids = set().union(*(claimed_uids(folder) for folder in folders if folder not in dead))
    dead_uids = set().union(*(claimed_uids(folder) for folder in dead)) - live_uids
    for process in running:
        run = _run_of_zygote(process.argv)
        if process.uid in dead_uids or (run is not None and not owner_alive(run)):
            kill(process)
    for folder in dead:
        shutil.rmtree(folder, ignore_errors=True)
