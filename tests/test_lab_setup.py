"""`cnn-course lab-setup` writes a student's Jupyter config: the instructors' tools off, and the
exchange's lists too unless asked to keep them; the user's other settings stay. (A JupyterLab
started on that config, in test_jupyterlab.py, shows none of them.)"""

import json
import subprocess
import sys

import pytest
from lab import environment

from autograder.runtime import lab_setup


def _written(config) -> tuple[set[str], dict[str, bool]]:
    """The lab extensions turned off and the server extensions' switches in ``config``."""
    page = json.loads((config / "labconfig" / "page_config.json").read_text())
    server = json.loads((config / "jupyter_server_config.json").read_text())
    disabled = {name for name, off in page["disabledExtensions"].items() if off}
    return disabled, server["ServerApp"]["jpserver_extensions"]


@pytest.mark.parametrize("exchange", [False, True], ids=["no exchange", "exchange"])
def test_the_command_turns_off_what_a_student_does_not_use(exchange, tmp_path):
    command = [sys.executable, "-c", "import sys; from autograder.runtime.validate import main; sys.exit(main())"]
    setup = [*command, "lab-setup", *(["--exchange"] if exchange else [])]
    done = subprocess.run(setup, env=environment(tmp_path), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    disabled, server = _written(tmp_path)
    assert set(lab_setup.INSTRUCTORS_ONLY) <= disabled
    assert (set(lab_setup.EXCHANGE_ONLY) <= disabled) != exchange
    assert all(server[name] is False for name in lab_setup.SERVER_INSTRUCTORS_ONLY)
    assert all(server.get(name) is False for name in lab_setup.SERVER_EXCHANGE_ONLY) != exchange


def test_the_users_other_settings_stay(tmp_path):
    (tmp_path / "labconfig").mkdir()
    (tmp_path / "labconfig" / "page_config.json").write_text('{"disabledExtensions": {"mine": true}, "x": 1}')
    (tmp_path / "jupyter_server_config.json").write_text('{"ServerApp": {"jpserver_extensions": {"other": true}}}')
    lab_setup.set_up(config_dir=tmp_path)
    disabled, server = _written(tmp_path)
    assert "mine" in disabled and server["other"] is True
    assert json.loads((tmp_path / "labconfig" / "page_config.json").read_text())["x"] == 1
