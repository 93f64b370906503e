"""The student edition: everything students get, and nothing that answers an exercise.

``make student-edition`` writes ``dist/student/``, a folder to publish as the repository
students clone: the exercises, the chapters' text, the students' package (its source, its
wheel in ``wheels/``) and one kit per exercise in ``kits/`` (the notebook, the wheel and a
three-line README, to work anywhere). The students' package is the course's package cut
down to :data:`STUDENT_PACKAGE`: the runtime, each chapter's visible checks with their
recorded data, and the digits data of chapter 10. References, hidden checks, known
mistakes, figures, the solutions and the instructors' tools stay here.
"""

import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import autograder
from autograder.instructors.course import REPO

TEMPLATES = Path(__file__).parent
# The student side of the package, as globs relative to the repository.
STUDENT_PACKAGE = (
    "autograder/__init__.py",
    "autograder/runtime/*.py",
    "autograder/chapters/__init__.py",
    "autograder/chapters/ch*/__init__.py",
    "autograder/chapters/ch*/checks.py",
    "autograder/chapters/ch*/recorded.pt",
    "autograder/chapters/ch*/data.py",
)
# What else the edition holds, beside the package: the exercises and the chapters' text.
STUDENT_FILES = (
    "exercises/ch*/*.ipynb",
    "book/intro.md",
    "book/students.md",
    "book/mistakes.md",
    "book/ch*.md",
    "LICENSE",
)
# What the students' package needs at run time (the checks, the chapters' data and plots).
DEPENDENCIES = (
    "torch>=2.4,<2.14",
    "numpy>=1.24",
    "matplotlib>=3.7",
    "scikit-learn>=1.3",
    "nbclient>=0.8",  # cnn-course validate runs a notebook in a fresh kernel
    "ipykernel>=6",
)
WHEEL = "cnn_course-{version}-py3-none-any.whl"


@dataclass(frozen=True)
class Course:
    """What the edition says about the course, from ``_config.yml``."""

    title: str
    book_url: str
    repository_url: str

    @classmethod
    def read(cls, root: Path = REPO) -> "Course":
        import yaml

        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
        return cls(
            config.get("title", "The course"),
            (config.get("html") or {}).get("baseurl") or "",
            (config.get("repository") or {}).get("url") or "",
        )


def wheel_name() -> str:
    """The file name of the students' wheel at this version."""
    return WHEEL.format(version=autograder.__version__)


def student_package_files(root: Path = REPO) -> list[Path]:
    """The files of the students' package, relative to ``root``."""
    return sorted({path.relative_to(root) for pattern in STUDENT_PACKAGE for path in root.glob(pattern)})


def _fill(template: str, **values: str) -> str:
    return (TEMPLATES / template).read_text(encoding="utf-8").format(**values)


def _copy(root: Path, relative: Path, dest: Path) -> None:
    (dest / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / relative, dest / relative)


def write_package_source(dest: Path, root: Path = REPO) -> None:
    """The students' package as a source tree in ``dest``: its files, pyproject.toml, README.md, LICENSE."""
    course = Course.read(root)
    for relative in student_package_files(root):
        _copy(root, relative, dest)
    urls = ""
    links = {"Book": course.book_url, "Source": course.repository_url}
    if any(links.values()):
        urls = "[project.urls]\n" + "".join(f'{k} = "{v}"\n' for k, v in links.items() if v)
    (dest / "pyproject.toml").write_text(
        _fill(
            "pyproject.toml.in",
            version=autograder.__version__,
            dependencies="[" + ", ".join(f'"{d}"' for d in DEPENDENCIES) + "]",
            urls=urls,
        ),
        encoding="utf-8",
    )
    (dest / "README.md").write_text(_readme(course), encoding="utf-8")
    shutil.copy2(root / "LICENSE", dest / "LICENSE")


def _readme(course: Course) -> str:
    book = f"The chapters are at <{course.book_url}>.\n" if course.book_url else ""
    return _fill("README.md.in", title=course.title, book_line=book)


def build(source: Path, outdir: Path) -> Path:
    """Build the wheel and the sdist of the package in ``source`` into ``outdir``, check both as
    PyPI would (``twine check --strict``); return the wheel."""
    outdir.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    subprocess.run(
        [python, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(outdir), str(source)],
        check=True,
        capture_output=True,
    )
    wheel = outdir / wheel_name()
    sdist = outdir / f"cnn_course-{autograder.__version__}.tar.gz"
    subprocess.run(
        [python, "-m", "twine", "check", "--strict", str(wheel), str(sdist)], check=True, capture_output=True
    )
    return wheel


def write_kit(key: str, wheel: Path, dest: Path, root: Path = REPO) -> Path:
    """The kit of exercise ``key``: a zip with a folder ``key/`` holding the notebook, the wheel
    and a three-line README."""
    notebook = f"{key}.ipynb"
    readme = _fill("kit-README.md.in", wheel=wheel.name, notebook=notebook)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{key}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as kit:
        kit.write(root / "exercises" / key / notebook, f"{key}/{notebook}")
        kit.write(wheel, f"{key}/{wheel.name}")
        kit.writestr(f"{key}/README.md", readme)
    return path


def exercise_keys(root: Path = REPO) -> list[str]:
    """The keys of the released exercises."""
    return sorted(path.name for path in (root / "exercises").glob("ch*") if path.is_dir())


def write_kits(dest: Path, root: Path = REPO) -> list[Path]:
    """Build the students' wheel (in ``dest/wheels/``) and write every kit into ``dest/kits/``."""
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "package"
        write_package_source(source, root)
        wheel = build(source, Path(scratch) / "dist")
        (dest / "wheels").mkdir(parents=True, exist_ok=True)
        wheel = Path(shutil.copy2(wheel, dest / "wheels"))
    return [write_kit(key, wheel, dest / "kits", root) for key in exercise_keys(root)]


def write_edition(dest: Path, root: Path = REPO) -> Path:
    """Write the student edition into ``dest`` (emptied first); return ``dest``."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for relative in sorted({p.relative_to(root) for pattern in STUDENT_FILES for p in root.glob(pattern)}):
        _copy(root, relative, dest)
    write_package_source(dest, root)
    write_kits(dest, root)
    (dest / "requirements.txt").write_text(_fill("requirements.txt.in", wheel=wheel_name()), encoding="utf-8")
    (dest / ".gitignore").write_text(
        ".venv/\n__pycache__/\n.ipynb_checkpoints/\n*.egg-info/\nbuild/\n", encoding="utf-8"
    )
    return dest
