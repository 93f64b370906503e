"""The book's repository link and launch buttons follow ``repository.url`` of ``_config.yml``.

The course's own configuration names no repository: the full build (tests/book/conftest.py)
must show no repository button and no launch button. A small book (the home page, a chapter
and its exercise), built with the course's configuration plus a repository and a BinderHub,
must link to the repository on every page and carry launch buttons on the exercise page only.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

pytestmark = pytest.mark.slow

STUDENT_REPOSITORY = "https://github.com/example-school/cnn-course-student"
BINDER = "https://mybinder.org"
KEY = "ch01_autograd"
PAGES = {"home": "book/intro", "chapter": f"book/{KEY}", "exercise": f"exercises/{KEY}/{KEY}"}


def buttons(html: str) -> dict[str, bool]:
    """Which header buttons a built page shows."""
    return {"repository": STUDENT_REPOSITORY in html, "launch": f"{BINDER}/v2/gh/" in html}


@pytest.fixture(scope="module")
def named_book(tmp_path_factory) -> Path:
    """The small book with a repository named; return its HTML folder."""
    root = tmp_path_factory.mktemp("named")
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    config["repository"] = {"url": STUDENT_REPOSITORY, "branch": "main"}
    config["launch_buttons"]["binderhub_url"] = BINDER
    config["execute"]["execute_notebooks"] = "off"
    (root / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    toc = {
        "format": "jb-book",
        "root": PAGES["home"],
        "chapters": [{"file": PAGES["chapter"], "sections": [{"file": PAGES["exercise"]}]}],
    }
    (root / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    for folder in ("book", "exercises"):
        (root / folder).symlink_to(REPO / folder)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(
        ["jupyter-book", "build", str(root), "--path-output", str(root / "out")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return root / "out" / "_build" / "html"


def test_no_repository_no_button(built_book: Path):
    """With no repository named, no page shows a repository or launch button."""
    for page in PAGES.values():
        html = (built_book / f"{page}.html").read_text(encoding="utf-8")
        assert "github.com" not in html and "/v2/gh/" not in html and "fa-rocket" not in html, page


@pytest.mark.parametrize("kind", list(PAGES))
def test_named_repository_links_and_launches(named_book: Path, kind: str):
    """With a repository named, every page links to it; only the exercise page launches (in
    Binder, at the exercise's path in the student edition)."""
    html = (named_book / f"{PAGES[kind]}.html").read_text(encoding="utf-8")
    assert buttons(html) == {"repository": True, "launch": kind == "exercise"}
    if kind == "exercise":
        assert f"urlpath=lab/tree/{PAGES['exercise']}.ipynb" in html
