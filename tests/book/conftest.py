"""The book, built once per session from the repository, strictly, into a temporary directory."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LOG_TAIL_LINES = 40
ANSI_COLOR = re.compile(r"\x1b\[[0-9;]*m")
SPHINX_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL): ")


def toc_pages() -> list[str]:
    """The documents of _toc.yml in reading order, as paths from the repo root without suffix."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk([toc])
    return [re.sub(r"\.(md|ipynb|rst)$", "", page) for page in pages]


# Fixture names that pytest_generate_tests fills from the toc, with the pages each one takes.
TOC_PARAMETERS = {
    "toc_page": r".+",
    "chapter_page": r"book/ch\d\d_\w+",
    "exercise_page": r"exercises/(ch\d\d_\w+)/\1",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize the tests that take a toc_page, chapter_page or exercise_page (a pattern that
    matches no page of the toc is an error: its tests would silently never run). The scope is the
    module's, so that a module-scoped fixture can open a page once for all its tests."""
    for name, pattern in TOC_PARAMETERS.items():
        if name in metafunc.fixturenames:
            pages = [page for page in toc_pages() if re.fullmatch(pattern, page)]
            assert pages, f"no page of _toc.yml matches the {name} pattern {pattern!r}"
            metafunc.parametrize(name, pages, scope="module")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the book with warnings as errors into a temporary directory; return its HTML dir.
    With BUILT_BOOK set to the HTML dir of a build, that book is tested as it is (for a quick
    rerun of the browser tests while working on the book's look)."""
    if os.environ.get("BUILT_BOOK"):
        return Path(os.environ["BUILT_BOOK"]).resolve()
    output = tmp_path_factory.mktemp("book")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = ["jupyter-book", "build", str(REPO), "--path-output", str(output)]
    command += ["-W", "-n", "--keep-going"]
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    log = output / "build.log"
    log.write_text(ANSI_COLOR.sub("", result.stdout), encoding="utf-8")
    if result.returncode != 0:
        lines = log.read_text(encoding="utf-8").splitlines()
        warnings = "\n".join(line for line in lines if SPHINX_PROBLEM.search(line))
        tail = "\n".join(lines[-LOG_TAIL_LINES:])
        pytest.fail(
            f"`{' '.join(command)}` exited with {result.returncode}.\n"
            f"Its warnings and errors:\n{warnings}\n\nEnd of its log ({log}):\n{tail}",
            pytrace=False,
        )
    return (output / "_build" / "html").resolve()
