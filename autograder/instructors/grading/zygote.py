"""The zygote: a process that has imported torch and the course once and forks kernels.

Run by a worker as ``python -m autograder.instructors.grading.zygote STATUS_DIR WORKER_PID``. It
imports and warms up what notebooks use, then reads one JSON request per line on stdin (a
kernel's connection file and :class:`~autograder.instructors.grading.sandbox.Spec`), forks,
answers ``{"pid": ...}`` on stdout, and records every child's exit status in
``STATUS_DIR/<pid>``. The child isolates itself, then starts an IPython kernel: every
kernel is a fresh copy of a process that never ran student code, with torch already in
memory, so neither Python's start-up, nor the torch import, nor the first check's imports
are paid per notebook.

Nothing here outlives its grader: the zygote dies with its worker, and each kernel with
the zygote (the parent-death signal), however the grader ends, SIGKILL included.
"""

import json
import os
import signal
import sys
from pathlib import Path

from autograder.instructors.grading import sandbox


def preload() -> None:
    """Import what every notebook imports (no CUDA context: it cannot survive a fork)."""
    import ipykernel.kernelapp  # noqa: F401
    import IPython  # noqa: F401
    import torch
    import torch.nn.functional  # noqa: F401

    from autograder import chapters
    from autograder.instructors.grading import integrity  # noqa: F401

    for key in chapters.KEYS:
        chapters.part(key, "checks")
        chapters.part(key, "hidden")
    warm_up()


def warm_up() -> None:
    """Run the checks' machinery and an optimizer once: PyTorch's first optimizer imports some
    800 modules (torch._dynamo and sympy), seconds that no kernel pays again. One thread, so
    that no thread pool exists at the fork."""
    import torch

    from autograder.runtime.calling import call

    torch.set_num_threads(1)
    leaf = torch.ones(2, 2, requires_grad=True)
    out, _ = call(lambda x: (x * 2).sum(), leaf, what="the grader's warm-up")
    out.backward()
    torch.optim.SGD([leaf], lr=0.1).step()


def _reap(status_dir: Path) -> None:
    """SIGCHLD: record the wait status of every child that ended."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        (status_dir / f"{pid}.tmp").write_text(str(status))
        os.replace(status_dir / f"{pid}.tmp", status_dir / str(pid))


def _redirect_stdio(log: Path) -> None:
    """The kernel's own fds 0, 1, 2: nothing in, a log file out (never the zygote's pipe)."""
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)


def run_kernel(request: dict, zygote: int) -> None:
    """In the forked child: isolate, then serve as an IPython kernel until shut down."""
    from autograder.instructors.grading import integrity

    spec = sandbox.Spec(
        **{**request["spec"], "hidden": tuple(request["spec"]["hidden"]), "needed": tuple(request["spec"]["needed"])}
    )
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _redirect_stdio(Path(spec.home) / "kernel.log")
    os.environ.update(request["env"])
    refused = sandbox.isolate(spec)
    sandbox.die_with_parent(zygote)  # after the change of user id, which clears it
    reseed_random_state()
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))

    from ipykernel.kernelapp import IPKernelApp

    import autograder.runtime.notebook

    app = IPKernelApp.instance()
    app.initialize(
        [
            "-f",
            request["connection_file"],
            "--HistoryManager.hist_file=:memory:",
            "--IPKernelApp.capture_fd_output=True",
        ]
    )
    autograder.runtime.notebook.install()
    integrity.isolation(refused)
    app.start()


def reseed_random_state() -> None:
    """Forked children share their parent's random state: give numpy's global one a new seed."""
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()


def serve(status_dir: Path) -> None:
    """Answer fork requests until stdin closes."""
    signal.signal(signal.SIGCHLD, lambda *_: _reap(status_dir))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    zygote = os.getpid()
    print(json.dumps({"ready": zygote}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            status = 70
            try:
                run_kernel(request, zygote)
                status = 0
            finally:
                os._exit(status)
        print(json.dumps({"pid": pid}), flush=True)


if __name__ == "__main__":
    sandbox.die_with_parent(int(sys.argv[2]))
    preload()
    serve(Path(sys.argv[1]))
