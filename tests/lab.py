"""A JupyterLab server for the tests, on a free local port, with a Jupyter config of the test's own."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

BIN = Path(sys.executable).parent


def get(url: str) -> tuple[int, str]:
    """The status and body of a GET (status 0 while nothing listens)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


def environment(config: Path) -> dict[str, str]:
    """This Python's tools first on PATH, the Jupyter config in ``config``, no nbgrader run in progress."""
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("NBGRADER_EXECUTION", None)
    return env


@contextlib.contextmanager
def running_lab(root: Path, config: Path) -> Iterator[str]:
    """JupyterLab serving ``root`` (as root: --allow-root; no token), until the block ends; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [BIN / "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}", "--IdentityProvider.token="]
    server = subprocess.Popen(
        command, cwd=root, env=environment(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if get(f"{url}/api/status")[0] == 200:
                break
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
