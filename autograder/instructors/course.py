"""The course folder: its nbgrader configuration, the folders nbgrader reads and writes, and nbgrader.

Every instructors' tool takes its paths from here, that is from nbgrader's own
``CourseDirectory``: a course whose ``nbgrader_config.py`` names other folders
(``c.CourseDirectory.submitted_directory = "incoming"``) is graded from, written into and
reported from those folders alike, as nbgrader itself would.
"""

import os
import subprocess
import sys
from pathlib import Path

# The course's repository: this package's parent folder (an editable install, as make setup does).
REPO = Path(__file__).resolve().parents[2]
CONFIG_FILE = "nbgrader_config.py"
CONFIG_ERRORS = "TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR"
SQLITE = "sqlite:///"


def load_config(root: Path):
    """Load ``root/nbgrader_config.py`` as nbgrader does; raise if it is missing or broken (nbgrader
    itself logs the error and carries on with its defaults)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()


def nbgrader_env() -> dict[str, str]:
    """The environment for nbgrader: config errors are fatal, and this Python's tools come first
    on PATH (nbgrader calls ``alembic`` and ``jupyter`` from there)."""
    env = dict(os.environ, **{CONFIG_ERRORS: "1"})
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def nbgrader(
    root: Path, *arguments: str, environment: dict[str, str] | None = None, **options
) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGUMENTS`` in ``root`` with :func:`nbgrader_env` (plus ``environment``);
    ``options`` go to ``subprocess.run``."""
    return subprocess.run(["nbgrader", *arguments], cwd=root, env={**nbgrader_env(), **(environment or {})}, **options)


class CourseFolder:
    """A course root, its configuration and its folders.

    ``step`` names one of nbgrader's folders by its role: ``"source"``, ``"release"``,
    ``"submitted"``, ``"autograded"`` or ``"feedback"``.
    """

    def __init__(self, root: Path) -> None:
        from nbgrader.coursedir import CourseDirectory  # nbgrader takes seconds to import: only when needed

        self.root = Path(root).resolve()
        self.config = load_config(self.root)
        self.directory = CourseDirectory(config=self.config, root=str(self.root))

    @property
    def course_id(self) -> str:
        return self.directory.course_id

    @property
    def db_url(self) -> str:
        return self.directory.db_url

    @property
    def gradebook(self) -> Path | None:
        """The gradebook's sqlite file (None when ``db_url`` names another kind of database)."""
        return Path(self.db_url.removeprefix(SQLITE)) if self.db_url.startswith(SQLITE) else None

    def _name(self, step: str) -> str:
        return getattr(self.directory, f"{step}_directory")

    def folder(self, step: str) -> Path:
        """The whole folder of a step, e.g. ``root/submitted``."""
        return self.root / self._name(step)

    def submission(self, step: str, student: str, assignment: str) -> Path:
        """A student's folder of an assignment in a step's folder, laid out as nbgrader's
        ``directory_structure`` says (student ``"."`` for the source and release folders)."""
        return Path(self.directory.format_path(self._name(step), student, assignment))

    def submissions(self, step: str, assignment: str) -> dict[str, Path]:
        """Every student's folder of ``assignment`` in a step's folder, by student id."""
        layout = Path(self.directory.directory_structure)
        pattern = str(layout).format(nbgrader_step=self._name(step), student_id="*", assignment_id=assignment)
        student = layout.parts.index("{student_id}")
        found = sorted(path for path in self.root.glob(pattern) if path.is_dir())
        return {path.relative_to(self.root).parts[student]: path for path in found}

    def archive(self, assignment: str) -> Path:
        """Where ``nbgrader zip_collect`` looks for LMS exports of ``assignment`` (its ZipCollectApp settings)."""
        from nbgrader.apps.zipcollectapp import ZipCollectApp

        def setting(name: str) -> str:
            return self.config.ZipCollectApp.get(name, ZipCollectApp.class_traits()[name].default_value)

        layout = setting("collect_directory_structure")
        return self.root / layout.format(
            downloaded=setting("downloaded_directory"),
            assignment_id=assignment,
            collect_step=setting("archive_directory"),
        )
