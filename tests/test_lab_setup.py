"""A student's JupyterLab after `cnn-course lab-setup`: no instructors' tools, no exchange errors."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from autograder.runtime import lab_setup

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:  # not listening yet
        return 0, ""


@pytest.mark.parametrize("exchange", [False, True], ids=["no exchange", "exchange"])
def test_lab_setup_hides_the_instructors_tools(exchange, tmp_path):
    """Formgrader and Create Assignment are off; the assignment and course lists too unless the
    hub has an exchange. Only this user's Jupyter config changes (here a folder of the test's)."""
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "PATH": f"{BIN}:{os.environ['PATH']}"}
    command = [sys.executable, "-c", "import sys; from autograder.runtime.validate import main; sys.exit(main())"]
    done = subprocess.run([*command, "lab-setup", *(["--exchange"] if exchange else [])], env=env, capture_output=True)
    assert done.returncode == 0, done.stdout + done.stderr
    port = _port()
    server = subprocess.Popen(
        [BIN / "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}", "--IdentityProvider.token="],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            status, page = _get(f"http://127.0.0.1:{port}/lab")
            if status == 200:
                break
            time.sleep(0.5)
        config = json.loads(
            re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S)[1]
        )
        disabled = set(config["disabledExtensions"])
        assert set(lab_setup.INSTRUCTORS_ONLY) <= disabled
        assert (set(lab_setup.EXCHANGE_ONLY) <= disabled) != exchange
        assert _get(f"http://127.0.0.1:{port}/formgrader")[0] == 404
        assert (_get(f"http://127.0.0.1:{port}/assignments")[0] == 404) != exchange
    finally:
        server.terminate()
        server.wait(timeout=30)
