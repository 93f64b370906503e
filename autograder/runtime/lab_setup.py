"""``cnn-course lab-setup``: a student's JupyterLab without the instructors' tools.

Where nbgrader is installed (a course's JupyterHub, a clone of the course), a student's
JupyterLab shows the instructors' Formgrader and Create Assignment, and, without an
exchange to fetch assignments from, an Assignment List that reports "Error fetching
courses!". This turns those off in the Jupyter config of the user who runs it (so an
instructor's on the same machine keeps them); ``--exchange`` keeps the assignment and course
lists, for a hub whose exchange hands out the exercises. The user's config outranks the
installation's, where nbgrader turns its extensions on.
"""

import json
from pathlib import Path

INSTRUCTORS_ONLY = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
EXCHANGE_ONLY = ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list")
SERVER_INSTRUCTORS_ONLY = ("nbgrader.server_extensions.formgrader",)
SERVER_EXCHANGE_ONLY = ("nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list")


def _merged(old: dict, new: dict) -> dict:
    """``old`` with ``new`` written over it, nested objects merged rather than replaced."""
    both = dict(old)
    for key, value in new.items():
        both[key] = _merged(both.get(key) or {}, value) if isinstance(value, dict) else value
    return both


def _merge(path: Path, update: dict) -> None:
    """Merge ``update`` into the JSON object at ``path`` (keeping the user's other settings)."""
    data = json.loads(path.read_text()) if path.exists() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_merged(data, update), indent=2) + "\n")


def set_up(exchange: bool = False, config_dir: Path | None = None) -> int:
    """Turn off, in ``config_dir`` (the user's Jupyter config by default), what a student does not use."""
    from jupyter_core.paths import jupyter_config_dir

    folder = Path(config_dir or jupyter_config_dir())
    lab = INSTRUCTORS_ONLY + (() if exchange else EXCHANGE_ONLY)
    server = SERVER_INSTRUCTORS_ONLY + (() if exchange else SERVER_EXCHANGE_ONLY)
    _merge(folder / "labconfig" / "page_config.json", {"disabledExtensions": dict.fromkeys(lab, True)})
    extensions = {"ServerApp": {"jpserver_extensions": dict.fromkeys(server, False)}}
    _merge(folder / "jupyter_server_config.json", extensions)
    kept = "kept" if exchange else "turned off"
    print(
        f"JupyterLab set up for a student in {folder}: Formgrader and Create Assignment off, assignment lists {kept}."
    )
    return 0
