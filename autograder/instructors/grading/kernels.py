"""Kernels as jupyter_client sees them, forked by a zygote instead of started by Popen.

:class:`Zygote` runs :mod:`autograder.instructors.grading.zygote` and asks it for kernels;
:class:`ZygoteProvisioner` plugs that into jupyter_client's ``KernelManager`` (so that
nbclient and nbgrader's ``Execute`` drive the kernel as usual); :class:`KernelFactory`
prepares each kernel's private folder and user id and kills everything the kernel left
(:func:`processes` and :func:`kill` read and end processes by pid and start time, never a
pid that was given again). Kernels talk over ZMQ ``ipc`` sockets in their folder: they
work without a network.
"""

import itertools
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync

from autograder.instructors.grading.sandbox import Spec

UID_BASE = 61000
UIDS_PER_WORKER = 1000
# Blocks of uids: each worker takes the block of its process id, so that concurrent runs
# (two instructors' shells, parallel tests) never share, and kill, each other's uids.
UID_BLOCKS = 100_000
# A worker's status folder, in the run's scratch folder, is named after its block of uids:
# it claims the block for the run (see autograder.instructors.grading.leftovers).
BLOCK_FOLDER = "kernels-"
ZYGOTE = "autograder.instructors.grading.zygote"


class Zygote:
    """A running zygote process and its pipe."""

    def __init__(self, status_dir: Path, env: dict[str, str]) -> None:
        self.status_dir = status_dir
        self.process = subprocess.Popen(
            [sys.executable, "-m", ZYGOTE, str(status_dir), str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._read()

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the grading zygote ended before it was ready (see its error above)")
        return json.loads(line)

    def fork(self, request: dict) -> int:
        """A new kernel process for ``request``; its pid."""
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()["pid"]

    def close(self) -> None:
        """End the zygote (it holds no state worth a clean exit)."""
        self.process.stdin.close()
        self.process.kill()
        self.process.wait()


class ForkedProcess:
    """The part of ``subprocess.Popen`` that LocalProvisioner uses, for a process the zygote forked."""

    def __init__(self, pid: int, status_dir: Path) -> None:
        self.pid = pid
        self._status = status_dir / str(pid)
        self.returncode = None
        self.stdout = self.stdin = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None and self._status.exists():
            self.returncode = os.waitstatus_to_exitcode(int(self._status.read_text()))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ZygoteProvisioner(LocalProvisioner):
    """LocalProvisioner whose ``launch_kernel`` asks the zygote to fork."""

    zygote: Zygote
    request: dict

    async def launch_kernel(self, cmd: list[str], **kwargs) -> dict:
        uid = self.request["spec"]["uid"]
        if os.geteuid() == 0:
            os.chown(self.parent.connection_file, uid, uid)
        pid = self.zygote.fork({**self.request, "connection_file": self.parent.connection_file})
        self.process = ForkedProcess(pid, self.zygote.status_dir)
        self.pid = self.pgid = pid  # the child calls setsid()
        self.cwd = self.request["spec"]["home"]
        return self.connection_info


class Kernel:
    """One kernel for one submission: its manager, folder and user id."""

    def __init__(self, manager: AsyncKernelManager, home: Path, uid: int) -> None:
        self.manager, self.home, self.uid = manager, home, uid

    def provide(self, files: list[Path]) -> None:
        """Copy the files a notebook needs beside it (the assignment's data, not its notebooks)."""
        for path in files:
            shutil.copy(path, self.home / path.name)
            if os.geteuid() == 0:
                os.chown(self.home / path.name, self.uid, self.uid)

    @property
    def process(self) -> ForkedProcess:
        return self.manager.provisioner.process

    def exit_status(self) -> int | None:
        """None while the kernel runs; its exit code (negative: the signal) afterwards."""
        return self.process.poll()

    def kill(self) -> None:
        """SIGKILL the kernel's process group (a C loop that ignores SIGINT ends too)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def memory(self) -> int:
        """Resident bytes of the kernel process (0 once it is gone)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/statm").read_text().split()
        except OSError:
            return 0
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")

    def destroy(self) -> None:
        """Kill the kernel and every process of its user id, remove its folder."""
        self.kill()
        kill_user(self.uid)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        run_sync(self.manager.cleanup_resources)()
        shutil.rmtree(self.home, ignore_errors=True)


@dataclass(frozen=True)
class Process:
    """A process of the machine as /proc shows it. Its pid and start time (clock ticks after
    boot) name it for good: a pid alone may be reused once the process has ended."""

    pid: int
    uid: int
    start: str
    argv: tuple[str, ...]


def start_time(pid: int) -> str | None:
    """When process ``pid`` started, in clock ticks after boot (None if there is no such process)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def processes() -> list[Process]:
    """Every process that could be read."""
    found = []
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            uid = next(row for row in (folder / "status").read_text().splitlines() if row.startswith("Uid:"))
            argv = tuple((folder / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1])
        except (OSError, StopIteration):
            continue
        start = start_time(int(folder.name))
        if start is not None:
            found.append(Process(int(folder.name), int(uid.split()[1]), start, argv))
    return found


def kill(process: Process) -> None:
    """SIGKILL ``process`` unless it has ended (its pid may then name another process)."""
    try:
        handle = os.pidfd_open(process.pid)
    except OSError:
        return
    try:
        if start_time(process.pid) == process.start:
            signal.pidfd_send_signal(handle, signal.SIGKILL)
    except OSError:
        pass
    finally:
        os.close(handle)


def kill_user(uid: int) -> None:
    """SIGKILL every process owned by ``uid`` (a kernel's uid is not given again before its
    worker has used every other uid of its block)."""
    for process in processes():
        if process.uid == uid:
            kill(process)


def sandbox_uids(first: int) -> list[int]:
    """The block of uids that starts at ``first``, less any that an account of the machine uses
    (``nobody``, 65534, falls in the range): killing a kernel's uid must kill only the kernel."""
    return [uid for uid in range(first, first + UIDS_PER_WORKER) if not _account(uid)]


def _account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def claimed_uids(scratch: Path) -> set[int]:
    """The uids of every block that the workers of the run with this scratch folder claimed."""
    blocks = (path.name.removeprefix(BLOCK_FOLDER) for path in scratch.glob(f"{BLOCK_FOLDER}*"))
    return {uid for block in blocks if block.isdigit() for uid in sandbox_uids(int(block))}


class KernelFactory:
    """Starts sandboxed kernels for one worker, each with a new user id and folder."""

    def __init__(self, scratch: Path, hidden: list[str], limits) -> None:
        self.scratch = scratch
        self.hidden = hidden
        self.limits = limits
        first = UID_BASE + (os.getpid() % UID_BLOCKS) * UIDS_PER_WORKER
        self.uids = itertools.cycle(sandbox_uids(first))
        status_dir = scratch / f"{BLOCK_FOLDER}{first}"
        status_dir.mkdir(mode=0o700)  # claims the block before any kernel runs
        self.zygote = Zygote(status_dir, kernel_environment(limits.workers))
        self.use_uids = os.geteuid() == 0

    def _home(self, uid: int) -> Path:
        home = self.scratch / f"kernel-{uid}"
        home.mkdir(mode=0o700)
        if self.use_uids:
            os.chown(home, uid, uid)
        return home

    def start(self) -> Kernel:
        """Fork a kernel; it initialises while the caller does other work."""
        uid = next(self.uids)
        home = self._home(uid)
        manager = AsyncKernelManager(transport="ipc", ip=str(home / "ipc"), kernel_name="python3")
        manager.connection_file = str(home / "connection.json")
        spec = Spec(
            uid=uid,
            home=str(home),
            hidden=tuple(self.hidden),
            needed=tuple(needed_paths(self.hidden)),
            memory_bytes=None if cuda_present() else self.limits.memory_bytes,
            file_bytes=self.limits.output_bytes * 8,
            tmp_bytes=self.limits.tmp_bytes,
        )
        provisioner = ZygoteProvisioner(kernel_id=str(uid), kernel_spec=manager.kernel_spec, parent=manager)
        provisioner.zygote = self.zygote
        provisioner.request = {
            "spec": spec.__dict__,
            "env": {"HOME": str(home), "IPYTHONDIR": str(home / ".ipython"), "MPLCONFIGDIR": str(home / ".matplotlib")},
        }
        manager.provisioner = provisioner
        run_sync(manager.start_kernel)()
        return Kernel(manager, home, uid)

    def close(self) -> None:
        self.zygote.close()


def needed_paths(hidden: list[str]) -> list[str]:
    """What a kernel must still see when the course folder is hidden: Python and the course's
    package (never a folder that holds a hidden one, such as the course root on ``sys.path``)."""
    import autograder

    paths = {sys.prefix, sys.base_prefix, str(Path(autograder.__file__).parent)}
    paths |= {path for path in sys.path if path and Path(path).is_dir()}
    covers = lambda path: any(Path(h) == Path(path) or Path(path) in Path(h).parents for h in hidden)  # noqa: E731
    return sorted(path for path in paths if not covers(path))


def cuda_present() -> bool:
    """Whether an NVIDIA GPU is visible; CUDA reserves far more address space than it uses,
    so there the memory cap is left to the resident-memory watchdog instead of RLIMIT_AS."""
    return Path("/dev/nvidiactl").exists()


def kernel_environment(workers: int) -> dict[str, str]:
    """The zygote's environment: few malloc arenas, torch threads shared out between workers
    (unless ``OMP_NUM_THREADS`` is set already, e.g. on a machine shared with other work), and a
    CUDA check that does not initialise the driver (a fork would inherit it broken); and
    ``NBGRADER_EXECUTION``, as nbgrader sets it, so that failed checks print plain text."""
    threads = os.environ.get("OMP_NUM_THREADS") or str(max(1, (os.cpu_count() or 1) // max(1, workers)))
    return dict(
        os.environ,
        MALLOC_ARENA_MAX="2",
        OMP_NUM_THREADS=threads,
        MKL_NUM_THREADS=threads,
        PYTORCH_NVML_BASED_CUDA_CHECK="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        NBGRADER_EXECUTION="autograde",
    )
