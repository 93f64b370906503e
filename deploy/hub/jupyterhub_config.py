"""JupyterHub for one class of the course on one server (deploy/hub/hub.py writes what it reads).

Who is who comes from the roster that ``hub.py setup`` writes into the hub's folder
(``CNN_HUB_ROOT``, default /srv/cnn-course-hub): instructors get JupyterLab with nbgrader's
Formgrader and the grading side of the course (the course's own environment); students get
JupyterLab with the Assignment List and the students' package only (their own environment,
which holds no answer). Each server runs as its own system user, in that user's home, under
resource limits. Authentication: the system's accounts (PAM) by default; the tests use
JupyterHub's dummy authenticator (``CNN_HUB_AUTHENTICATOR=dummy``, one shared password).
"""

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("CNN_HUB_ROOT", "/srv/cnn-course-hub"))
ROSTER = json.loads((ROOT / "roster.json").read_text())
# Per student server: address space (bytes, what PyTorch on a CPU needs with room for a
# chapter's training) and processes, enforced with prlimit.
MEMORY_BYTES = int(os.environ.get("CNN_HUB_MEMORY_BYTES", 8 * 2**30))
PROCESSES = int(os.environ.get("CNN_HUB_PROCESSES", 512))

c = get_config()  # noqa: F821 (JupyterHub's config loader provides it)

c.JupyterHub.ip = os.environ.get("CNN_HUB_IP", "0.0.0.0")
c.JupyterHub.port = int(os.environ.get("CNN_HUB_PORT", 8000))
c.JupyterHub.hub_port = int(os.environ.get("CNN_HUB_API_PORT", 8081))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('CNN_HUB_PROXY_API_PORT', 8001)}"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.db_url = f"sqlite:///{ROOT / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOT / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(ROOT / "jupyterhub.pid")

if os.environ.get("CNN_HUB_AUTHENTICATOR") == "dummy":
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ["CNN_HUB_PASSWORD"]
else:
    c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(ROSTER["instructors"] + ROSTER["students"])
c.Authenticator.admin_users = set()
c.JupyterHub.load_groups = {
    "instructors": {"users": ROSTER["instructors"]},
    "students": {"users": ROSTER["students"]},
}

c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.mem_limit = MEMORY_BYTES  # shown to the user; prlimit below enforces it
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120


def role_of(user: str) -> str:
    return "instructors" if user in ROSTER["instructors"] else "students"


def per_role(spawner) -> None:
    """Each role's environment and Jupyter configuration, under the limits."""
    role = role_of(spawner.user.name)
    env_bin = Path(ROSTER["environments"][role]) / "bin"
    limits = ["prlimit", f"--as={MEMORY_BYTES}", f"--nproc={PROCESSES}", "--"]
    spawner.cmd = [*limits, str(env_bin / "jupyterhub-singleuser")]
    spawner.environment.update(
        JUPYTER_CONFIG_PATH=str(ROOT / "config" / role),
        PATH=f"{env_bin}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR="1",
    )


c.Spawner.pre_spawn_hook = per_role
c.JupyterHub.log_level = os.environ.get("CNN_HUB_LOG_LEVEL", "INFO")
sys.stdout.reconfigure(line_buffering=True)
