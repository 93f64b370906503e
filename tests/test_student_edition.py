"""What students get holds no answer: the student edition, its wheel and its kits.

The edition is written once for the module (``cnn-course student-edition`` into a temporary
folder). Code is compared with the answers as normalised token sequences (tests/leaks.py):
the solutions' answer cells, the references, the known mistakes (each a solution one edit
away) and the hidden checks. Each scan is also run where it must find something, so that
a scan that cannot fail fails. The book's pages are under the book's own leak test.
"""

import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from course import REPO
from leaks import MIN_REFERENCE_TOKENS, bodies, near_answers, normalised, shingles

from autograder import chapters
from autograder.instructors.edition import wheel_name, write_edition
from autograder.instructors.submissions import answers, nbgrader_meta
from autograder.runtime.mistakes import mistakes_in

pytestmark = pytest.mark.slow

# The chapters' modules that only instructors get.
INSTRUCTORS_ONLY = re.compile(r"autograder/chapters/ch\d\d_\w+/(reference|hidden|mistakes|figures)\.py$")
SOLUTIONS = {key: nbformat.read(REPO / "solutions" / key / f"{key}.ipynb", as_version=4) for key in chapters.KEYS}


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return write_edition(tmp_path_factory.mktemp("student") / "edition")


def _zip_texts(data: zipfile.ZipFile, where: str) -> dict[str, str]:
    """The text files of a zip (and of the wheels inside it), by ``where/name``."""
    texts = {}
    for name in data.namelist():
        if name.endswith(".whl"):
            with data.open(name) as inner, zipfile.ZipFile(inner) as wheel:
                texts |= _zip_texts(wheel, f"{where}/{name}")
        elif name.endswith((".py", ".ipynb", ".md", ".txt", ".toml")):
            texts[f"{where}/{name}"] = data.read(name).decode("utf-8")
    return texts


def texts_of(edition: Path) -> dict[str, str]:
    """Every text students get: the edition's files outside book/, the wheel's, the kits'."""
    texts = {}
    for path in sorted(edition.rglob("*")):
        relative = path.relative_to(edition).as_posix()
        if path.suffix in (".whl", ".zip"):
            with zipfile.ZipFile(path) as data:
                texts |= _zip_texts(data, relative)
        elif path.is_file() and not relative.startswith("book/") and path.suffix != ".pt":
            texts[relative] = path.read_text(encoding="utf-8")
    return texts


def code_of(texts: dict[str, str]) -> list:
    """The functions and classes of every Python file and notebook code cell in ``texts``, one
    per distinct body (the kits repeat the wheel)."""
    found = []
    for where, text in texts.items():
        if where.endswith(".py"):
            found += bodies(text, where)
        elif where.endswith(".ipynb"):
            for cell in nbformat.reads(text, as_version=4).cells:
                if cell.cell_type == "code":
                    found += bodies(cell.source, where)
    return list({body.tokens: body for body in found}.values())


def answer_code() -> list:
    """Every answer: the solutions' exercise functions and classes, the known mistakes, the hidden
    checks, and the references longer than a call to a built-in (as are the mistakes, some of
    which only call the built-in the exercise forbids)."""
    found = []
    for key, solution in SOLUTIONS.items():
        for grade_id, source in answers(solution).items():
            found += bodies(source, f"solutions/{key} {grade_id}", {grade_id})
        for mistake in mistakes_in(chapters.part(key, "mistakes")):
            found += long(bodies(mistake.source, f"{key} mistake", {mistake.function.__name__}))
        found += long(bodies(source_of(key, "reference"), f"{key} reference"))
        found += [b for b in bodies(source_of(key, "hidden"), f"{key} hidden") if ": grade_" in b.where]
    return found


def source_of(key: str, module: str) -> str:
    return (REPO / "autograder" / "chapters" / key / f"{module}.py").read_text(encoding="utf-8")


def long(found) -> list:
    """The bodies longer than one call to a built-in."""
    return [b for b in found if len(b.tokens) >= MIN_REFERENCE_TOKENS]


def shown_to_students() -> set[tuple[str, ...]]:
    """The word runs of the solutions' other cells (the questions, the tasks): an answer that
    repeats the question's words gives nothing away by them."""
    return set().union(
        *(
            shingles(cell.source)
            for solution in SOLUTIONS.values()
            for cell in solution.cells
            if not nbgrader_meta(cell).get("solution")
        )
    )


def written_answers() -> dict[str, str]:
    """The model written answers (markdown answer cells of the solutions), by notebook and grade_id."""
    return {
        f"{key} {nbgrader_meta(cell)['grade_id']}": cell.source
        for key, solution in SOLUTIONS.items()
        for cell in solution.cells
        if cell.cell_type == "markdown" and nbgrader_meta(cell).get("solution")
    }


def test_edition_holds_what_students_need(edition):
    """The exercises, the package's source, its wheel, a kit per exercise, the README and requirements."""
    keys = sorted(chapters.KEYS)
    assert sorted(p.parent.name for p in edition.glob("exercises/*/*.ipynb")) == keys
    assert sorted(p.stem for p in edition.glob("kits/*.zip")) == keys
    assert [p.name for p in edition.glob("wheels/*.whl")] == [wheel_name()]
    for name in ("README.md", "requirements.txt", "pyproject.toml", "LICENSE", "autograder/__init__.py"):
        assert (edition / name).is_file(), name
    with zipfile.ZipFile(edition / "kits" / f"{keys[0]}.zip") as kit:
        assert sorted(kit.namelist()) == sorted(
            f"{keys[0]}/{n}" for n in (f"{keys[0]}.ipynb", wheel_name(), "README.md")
        )
        assert len(kit.read(f"{keys[0]}/README.md").decode().strip().splitlines()) == 3


def test_no_instructors_side(edition):
    """No solutions, no instructors' tools, no reference, hidden check, mistake or figure module,
    in the edition or in any wheel or kit."""
    names = set(texts_of(edition)) | {p.relative_to(edition).as_posix() for p in edition.rglob("*")}
    leaked = sorted(
        n for n in names if n.startswith("solutions/") or "/instructors/" in n or INSTRUCTORS_ONLY.search(n)
    )
    assert leaked == []


def test_the_instructors_side_scan_finds_the_repository_s():
    """The same scan over the repository finds the instructors' side (it is not vacuous)."""
    names = {p.relative_to(REPO).as_posix() for p in (REPO / "autograder").rglob("*.py")}
    assert any(INSTRUCTORS_ONLY.search(n) for n in names) and any("/instructors/" in n for n in names)


def test_no_code_near_an_answer(edition):
    """No function students get is an answer, a known mistake, a reference or a hidden check, or
    nearly one (token sequences; names, layout and one edit do not hide it)."""
    assert near_answers(code_of(texts_of(edition)), answer_code()) == []


def test_the_code_scan_finds_an_answer_one_edit_away():
    """A solution whose names are changed and one operator flipped is still found."""
    answer = next(b for b in bodies(answers(SOLUTIONS["ch02_cross_correlation"])["corr2d"], "solution"))
    edited = (
        "def mine(image, kernel):\n    a, b = kernel.shape\n"
        "    n, m = image.shape[0] - a + 1, image.shape[1] - b + 1\n"
        "    out = torch.zeros(n, m, dtype=image.dtype, device=image.device)\n"
        "    for r in range(out.shape[0]):\n        for c in range(out.shape[1]):\n"
        "            out[r, c] = (image[r:r + a, c:c + b] - kernel).sum()\n    return out\n"
    )
    assert normalised(edited) != answer.tokens
    assert near_answers(list(bodies(edited, "planted")), [answer])


def test_no_model_written_answer(edition):
    """No run of eight words of a model written answer appears in anything students get (but
    for the runs the questions themselves hold)."""
    seen = set().union(*(shingles(text) for text in texts_of(edition).values())) - shown_to_students()
    leaked = {where: len(shingles(text) & seen) for where, text in written_answers().items()}
    assert {where: count for where, count in leaked.items() if count} == {}


def test_the_written_answer_scan_finds_them_in_the_solutions():
    """The same scan finds every model written answer in the solution notebooks."""
    seen = set().union(*(shingles(p.read_text(encoding="utf-8")) for p in (REPO / "solutions").rglob("*.ipynb")))
    seen -= shown_to_students()
    assert written_answers() and all(shingles(text) & seen for text in written_answers().values())


def test_no_hidden_check(edition):
    """No hidden test cell and no hidden check function, in any file students get."""
    texts = texts_of(edition)
    assert [w for w, t in texts.items() if "BEGIN HIDDEN TESTS" in t or "def grade_" in t] == []
    solutions = {p.name: p.read_text(encoding="utf-8") for p in (REPO / "solutions").rglob("*.ipynb")}
    assert all("BEGIN HIDDEN TESTS" in t for t in solutions.values())
