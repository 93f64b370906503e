"""The course's JupyterHub on one server: ``setup`` once, then ``start``.

``setup`` (as root) makes the hub's folder (``--root``): the roster, the nbgrader exchange
(writable by everyone, as nbgrader's plain exchange needs), the instructors' course folder
(group-owned by the instructors, closed to students), each role's Jupyter configuration, and
the students' environment (PyTorch, JupyterLab, nbgrader and the students' package: no
reference, hidden check or known mistake). Instructors work in the course's own environment,
this Python's, which holds the grading side. ``start`` runs JupyterHub with
``jupyterhub_config.py``.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from autograder.instructors.course import load_config, nbgrader  # noqa: E402
from autograder.instructors.edition import build, write_package_source  # noqa: E402
from autograder.runtime.lab_setup import set_up as student_lab  # noqa: E402

INSTRUCTORS_GROUP = "cnn-course-instructors"
NEWS = "@jupyterlab/apputils-extension:announcements"
COURSE_FILES = ("nbgrader_config.py", "solutions", "exercises")
# What the students' environment needs beside the students' wheel, at the course's versions.
STUDENT_PACKAGES = ("torch", "jupyterhub", "jupyterlab", "nbgrader", "ipykernel")


def run(*command: str, **options) -> None:
    subprocess.run(command, check=True, **options)


def ensure_user(name: str, create: bool) -> None:
    """The system account ``name`` with a home only its owner can open."""
    if subprocess.run(["id", name], capture_output=True).returncode != 0:
        if not create:
            raise SystemExit(f"no system user {name!r}: create it, or pass --create-users")
        run("useradd", "--create-home", "--shell", "/bin/bash", name)
    home = Path(os.path.expanduser(f"~{name}"))
    home.chmod(0o700)


def course_folder(root: Path, instructors: list[str], students: list[str]) -> Path:
    """The instructors' copy of the course, with its assignments and students in its gradebook."""
    course = root / "course"
    course.mkdir(exist_ok=True)
    for name in COURSE_FILES:
        source, target = REPO / name, course / name
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    for key in sorted(p.name for p in (course / "solutions").glob("ch*")):
        # Generating records the assignment's notebooks and graded cells in the gradebook.
        nbgrader(course, "generate_assignment", key, "--force", check=True, capture_output=True)
    for student in students:
        nbgrader(course, "db", "student", "add", student, check=True, capture_output=True)
    run("groupadd", "--force", INSTRUCTORS_GROUP)
    for instructor in instructors:
        run("usermod", "--append", "--groups", INSTRUCTORS_GROUP, instructor)
    run("chown", "-R", f"{instructors[0]}:{INSTRUCTORS_GROUP}", str(course))
    run("chmod", "-R", "u+rwX,g+rwX,o-rwx", str(course))
    course.chmod(0o2770)
    return course


def write_configs(root: Path, course: Path, course_id: str, exchange: Path) -> None:
    """Each role's Jupyter configuration: the exchange for everyone, the course folder for the
    instructors, and a students' JupyterLab without the instructors' tools."""
    shared = f'c.CourseDirectory.course_id = "{course_id}"\nc.Exchange.root = "{exchange}"\n'
    for role, extra in (("students", ""), ("instructors", f'c.CourseDirectory.root = "{course}"\n')):
        folder = root / "config" / role
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "nbgrader_config.py").write_text(f"c = get_config()  # noqa: F821\n{shared}{extra}")
    student_lab(exchange=True, config_dir=root / "config" / "students")
    for role in ("students", "instructors"):  # no "Jupyter news" prompt, which fetches from the internet
        page_config = root / "config" / role / "labconfig" / "page_config.json"
        settings = json.loads(page_config.read_text()) if page_config.exists() else {}
        settings.setdefault("disabledExtensions", {})[NEWS] = True
        page_config.parent.mkdir(parents=True, exist_ok=True)
        page_config.write_text(json.dumps(settings, indent=2) + "\n")
    run("chmod", "-R", "a+rX", str(root / "config"))


def pinned(packages: tuple[str, ...]) -> list[str]:
    """``packages`` at the versions this environment has (the course's requirements.txt)."""
    from importlib.metadata import version

    return [f"{name}=={version(name)}" for name in packages]


def students_environment(target: Path) -> Path:
    """A fresh virtual environment with the students' side of the course, readable by all."""
    if not (target / "bin" / "python").exists():
        run(sys.executable, "-m", "venv", str(target))
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "package"
        write_package_source(source, REPO)
        wheel = build(source, Path(scratch) / "dist")
        pip = [str(target / "bin" / "pip"), "install", "--quiet", "--no-compile"]
        run(*pip, *pinned(STUDENT_PACKAGES), str(wheel))
    # Students cannot write bytecode into it: compile it once, as make setup does.
    compile_all = [str(target / "bin" / "python"), "-m", "compileall", "-q", "-j", "0", str(target / "lib")]
    subprocess.run(compile_all, check=False, capture_output=True)  # a few files PyPI ships do not compile
    run("chmod", "-R", "a+rX", str(target))
    return target


def check_runnable(user: str, environment: str) -> None:
    """Stop with a way out if ``user`` cannot run the environment's Python (a pyenv Python under
    root's home, which other users cannot open, is the usual cause)."""
    python = Path(environment) / "bin" / "python"
    if subprocess.run(["runuser", "-u", user, "--", str(python), "-c", ""], capture_output=True).returncode:
        raise SystemExit(
            f"{user} cannot run {python} -> {python.resolve()}: a folder above it is closed to other users. "
            "Build the environments with a Python every user can run (e.g. Debian's /usr/bin/python3), "
            "or let users through that folder (for root's home: chmod o+x /root)."
        )


def setup(args: argparse.Namespace) -> None:
    root = Path(args.root)
    instructors, students = args.instructors.split(","), args.students.split(",")
    for user in instructors + students:
        ensure_user(user, args.create_users)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    exchange = root / "exchange"
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)  # nbgrader's exchange: everyone writes, the sticky bit keeps files apart
    course_id = load_config(REPO).CourseDirectory.course_id
    course = course_folder(root, instructors, students)
    write_configs(root, course, course_id, exchange)
    environments = {"instructors": sys.prefix, "students": str(students_environment(root / "students-env"))}
    check_runnable(instructors[0], environments["instructors"])
    check_runnable(students[0], environments["students"])
    roster = {"course_id": course_id, "instructors": instructors, "students": students, "environments": environments}
    (root / "roster.json").write_text(json.dumps(roster, indent=2) + "\n")
    print(f"The hub's folder is ready: {root}. Start the hub with: make hub")


def start(args: argparse.Namespace) -> None:
    env = dict(os.environ, CNN_HUB_ROOT=str(Path(args.root).resolve()))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")]
    os.execve(command[0], command, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_root = os.environ.get("CNN_HUB_ROOT", "/srv/cnn-course-hub")
    parser.add_argument("--root", default=default_root, help="the hub's folder")
    commands = parser.add_subparsers(dest="command", required=True)
    set_up = commands.add_parser("setup", help="make the hub's folder (as root)")
    set_up.add_argument("--instructors", required=True, help="comma-separated user names")
    set_up.add_argument("--students", required=True, help="comma-separated user names")
    set_up.add_argument("--create-users", action="store_true", help="create missing system users")
    commands.add_parser("start", help="run JupyterHub")
    args = parser.parse_args()
    {"setup": setup, "start": start}[args.command](args)


if __name__ == "__main__":
    main()
