"""Kernels as jupyter_client sees them, forked by a zygote instead of started by Popen.

:class:`Zygote` runs :mod:`autograder.instructors.grading.zygote` and asks it for kernels;
:class:`ZygoteProvisioner` plugs that into jupyter_client's ``KernelManager`` (so that
nbclient and nbgrader's ``Execute`` drive the kernel as usual); :class:`KernelFactory`
prepares each kernel's private folder and user id and kills everything the kernel left.
Kernels talk over ZMQ ``ipc`` sockets in their folder: they work without a network.
"""

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
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


class Zygote:
    """A running zygote process and its pipe."""

    def __init__(self, status_dir: Path, env: dict[str, str]) -> None:
        self.status_dir = status_dir
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.instructors.grading.zygote", str(status_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
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


def kill_user(uid: int) -> None:
    """SIGKILL every process owned by ``uid`` (kernels' user ids are never reused in a run)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        line = next((row for row in text.splitlines() if row.startswith("Uid:")), "")
        if line.split()[1:2] == [str(uid)]:
            try:
                os.kill(int(status.parent.name), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


class KernelFactory:
    """Starts sandboxed kernels for one worker, each with a new user id and folder."""

    def __init__(self, worker: int, scratch: Path, hidden: list[str], limits) -> None:
        self.scratch = scratch
        self.hidden = hidden
        self.limits = limits
        self.uids = itertools.count(UID_BASE + (os.getpid() % UID_BLOCKS) * UIDS_PER_WORKER)
        status_dir = scratch / f"status-{worker}"
        status_dir.mkdir(mode=0o700)
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
        spec = Spec(uid=uid, home=str(home), hidden=tuple(self.hidden), needed=tuple(needed_paths(self.hidden)),
                    memory_bytes=None if cuda_present() else self.limits.memory_bytes, file_bytes=self.limits.output_bytes * 8)
        provisioner = ZygoteProvisioner(kernel_id=str(uid), kernel_spec=manager.kernel_spec, parent=manager)
        provisioner.zygote = self.zygote
        provisioner.request = {"spec": spec.__dict__, "env": {"HOME": str(home), "IPYTHONDIR": str(home / ".ipython"),
                                                             "MPLCONFIGDIR": str(home / ".matplotlib")}}
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
    """The zygote's environment: few malloc arenas, torch threads shared out between workers,
    and a CUDA check that does not initialise the driver (a fork would inherit it broken)."""
    threads = str(max(1, (os.cpu_count() or 1) // max(1, workers)))
    return dict(os.environ, MALLOC_ARENA_MAX="2", OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
                PYTORCH_NVML_BASED_CUDA_CHECK="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
