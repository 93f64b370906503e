"""The built HTML book: every page, no solutions, unexecuted exercises, local math and images."""

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from autograder.instructors.edition import wheel_name

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
MIN_SNIPPET_LENGTH = 20
# Markdown syntax that is not rendered as text: code spans, math, link targets, markup.
MARKDOWN_SYNTAX = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|[*_#>|\[\]]|\s\d+\.\s")
HIDDEN_BLOCKS = re.compile(
    r"^\s*### BEGIN (SOLUTION|HIDDEN TESTS)\s*$(.*?)^\s*### END \1\s*$", re.MULTILINE | re.DOTALL
)


class Page(HTMLParser):
    """An HTML file's start tags, and its text (no tags, entities unescaped, spaces collapsed)."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._chunks: list[str] = []
        self.feed(path.read_text(encoding="utf-8"))
        self.close()
        self.text = collapse("".join(self._chunks))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self._chunks.append(data)

    def find_all(self, tag: str, css_class: str | None = None) -> list[dict[str, str | None]]:
        """The attributes of every `tag` element, optionally only those with the CSS class."""
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and (css_class is None or css_class in (attrs.get("class") or "").split())
        ]

    def resolve(self, url: str) -> Path:
        """The file of the build that a relative URL of this page points to."""
        return (self.path.parent / unquote(urlsplit(url).path)).resolve()


def collapse(text: str) -> str:
    """The text with every run of whitespace made one space."""
    return " ".join(text.split())


def is_remote(url: str) -> bool:
    """Whether a URL names a scheme or a host, that is, does not point to a file of the build."""
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def html_pages(html_dir: Path) -> list[Path]:
    """The pages of the book (every HTML file outside _static)."""
    pages = html_dir.rglob("*.html")
    return sorted(path for path in pages if "_static" not in path.relative_to(html_dir).parts)


def solution_snippets() -> set[str]:
    """Pieces of the solution notebooks' hidden parts: every three consecutive lines of code
    (fewer are often an idiom the book teaches, such as ``loss.backward()`` then
    ``optimizer.step()``) and the phrases of written answers.

    Pieces that the notebook also shows outside its hidden parts, such as a call quoted in
    the task, are no secret and are left out.
    """
    snippets, public = [], []
    for path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                for block in HIDDEN_BLOCKS.finditer(cell.source):
                    lines = [line for line in block[2].splitlines() if line.strip()]
                    snippets += ["\n".join(lines[i : i + 3]) for i in range(max(len(lines) - 2, 1))]
                public.append(HIDDEN_BLOCKS.sub("", cell.source))
            elif cell.metadata.get("nbgrader", {}).get("solution"):
                snippets += MARKDOWN_SYNTAX.split(collapse(cell.source))
            else:
                public.append(cell.source)
    public_text = collapse("\n".join(public))
    snippets = {collapse(snippet) for snippet in snippets}
    return {s for s in snippets if len(s) > MIN_SNIPPET_LENGTH and s not in public_text}


def source_text(path: Path) -> str:
    """The text of a file of _sources: a notebook's cell sources, or the file as it is."""
    if path.suffix == ".ipynb":
        return collapse("\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells))
    return collapse(path.read_text(encoding="utf-8"))


def test_every_toc_page_is_built(built_book: Path, toc_page: str) -> None:
    """The page of the toc exists as HTML."""
    assert (built_book / f"{toc_page}.html").is_file(), f"{toc_page}.html is missing from the build"


def test_no_solution_appears(built_book: Path) -> None:
    """No line of a solution, hidden test or written answer is in a built page or a source file."""
    snippets = solution_snippets()
    assert snippets, "found nothing to look for in solutions/*/*.ipynb"
    texts = {path: Page(path).text for path in built_book.rglob("*.html")}
    sources = (path for path in (built_book / "_sources").rglob("*") if path.is_file())
    texts |= {path: source_text(path) for path in sources}
    leaks = [
        f"{path.relative_to(built_book)}: {snippet!r}"
        for path, text in sorted(texts.items())
        for snippet in sorted(snippets)
        if snippet in text
    ]
    assert not leaks, "solution text in the build:\n" + "\n".join(leaks)


def test_chapter_is_followed_by_its_exercise(built_book: Path, chapter_page: str) -> None:
    """The "next" link of a chapter page leads to the exercise page of the same chapter."""
    page = Page(built_book / f"{chapter_page}.html")
    links = page.find_all("a", "right-next")
    assert len(links) == 1, f"{chapter_page}.html has {len(links)} 'next' links"
    target = page.resolve(links[0]["href"]).relative_to(built_book).as_posix()
    key = PurePosixPath(chapter_page).name
    assert target == f"exercises/{key}/{key}.html", target
    assert (built_book / target).is_file()


def test_exercise_page_is_not_executed(built_book: Path, exercise_page: str) -> None:
    """The exercise page shows its cells without any output."""
    page = Page(built_book / f"{exercise_page}.html")
    assert page.find_all("div", "cell"), f"{exercise_page}.html shows no notebook cell"
    outputs = page.find_all("div", "cell_output") + page.find_all("div", "output")
    assert not outputs, f"{exercise_page}.html has {len(outputs)} output areas"


def test_exercise_page_offers_its_notebook(built_book: Path, exercise_page: str) -> None:
    """The download button of the exercise page links to its .ipynb, which is in the build."""
    page = Page(built_book / f"{exercise_page}.html")
    notebook = built_book / "_sources" / f"{exercise_page}.ipynb"
    buttons = page.find_all("a", "btn-download-source-button")
    targets = [page.resolve(button["href"]) for button in buttons]
    assert notebook in targets, f"{exercise_page}.html download links: {targets}"
    assert notebook.is_file()


def test_exercise_page_offers_its_kit(built_book: Path, exercise_page: str) -> None:
    """Under its title, the exercise page offers its kit: a zip in the build holding the notebook
    as released, the students' wheel and a README."""
    key = exercise_page.split("/")[1]
    html = (built_book / f"{exercise_page}.html").read_text(encoding="utf-8")
    assert html.index("</h1>") < html.index("exercise-kit"), "the kit box is not under the page's title"
    page = Page(built_book / f"{exercise_page}.html")
    targets = [page.resolve(link["href"]) for link in page.find_all("a", "download") if "kits/" in link["href"]]
    assert targets == [built_book / "kits" / f"{key}.zip"], targets
    with zipfile.ZipFile(targets[0]) as kit:
        names = sorted(PurePosixPath(name).name for name in kit.namelist())
        assert names == sorted(["README.md", f"{key}.ipynb", wheel_name()])
        released = (REPO / "exercises" / key / f"{key}.ipynb").read_bytes()
        assert kit.read(f"{key}/{key}.ipynb") == released


def test_math_is_served_locally(built_book: Path) -> None:
    """No page loads a remote script or names the jsDelivr CDN, and MathJax is in the build."""
    remote, mathjax = [], set()
    for path in html_pages(built_book):
        page = Page(path)
        if "cdn.jsdelivr.net" in path.read_text(encoding="utf-8"):
            remote.append(f"{path.relative_to(built_book)}: cdn.jsdelivr.net")
        for script in page.find_all("script"):
            src = script.get("src")
            if src and is_remote(src):
                remote.append(f"{path.relative_to(built_book)}: {src}")
            elif src and "mathjax" in src.lower():
                mathjax.add(page.resolve(src))
    assert not remote, "remote scripts:\n" + "\n".join(remote)
    assert mathjax, "no page loads MathJax"
    missing = [str(path) for path in mathjax if not path.is_file()]
    assert not missing, f"MathJax scripts missing from the build: {missing}"


def test_every_image_is_in_the_build(built_book: Path) -> None:
    """Every <img src> of every page is a file of the build (or a data: URI)."""
    broken = []
    for path in html_pages(built_book):
        page = Page(path)
        for img in page.find_all("img"):
            src = img.get("src") or ""
            if src.startswith("data:"):
                continue
            if not src or is_remote(src) or not page.resolve(src).is_file():
                broken.append(f"{path.relative_to(built_book)}: {src!r}")
    assert not broken, "images that are not files of the build:\n" + "\n".join(broken)


def test_links_within_the_book_land(built_book: Path, toc_page: str) -> None:
    """Every link from a page to a section of the book (e.g. the mistakes page's "Read more")
    names a file of the build and an id on it."""
    page = Page(built_book / f"{toc_page}.html")
    ids: dict[Path, set] = {}
    broken = []
    for attrs in page.find_all("a"):
        href = attrs.get("href") or ""
        if not href or is_remote(href) or "#" not in href or href.startswith("#"):
            continue
        target = page.resolve(href)
        if target not in ids:
            ids[target] = {a.get("id") for _, a in Page(target).tags} if target.is_file() else set()
        if unquote(urlsplit(href).fragment) not in ids[target]:
            broken.append(href)
    assert not broken, f"{toc_page}: links to missing sections: {sorted(set(broken))}"
