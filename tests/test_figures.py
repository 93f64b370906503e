"""The book's figures: alt text for every figure, text readable on a phone, one colour
convention for signs, and every image linked to its full-size file."""

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import yaml
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from matplotlib.figure import Figure

from autograder.chapters.ch04_padding_stride import figures as ch04
from autograder.instructors.booksite import link_images
from autograder.runtime import figures

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("ch*.md"))
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?:---\n(?P<options>.*?)\n---\n)?(?P<code>.*?)^```", re.S | re.M)
# Names under which the chapters call the course's drawings.
DRAWING_MODULES = {"figures", "common"}
DRAWING_FUNCTIONS = {"images", "matrices"}


def _cells():
    """(chapter, line, options, code) of every code cell of the book's chapters."""
    for chapter in CHAPTERS:
        text = chapter.read_text()
        for match in CELL.finditer(text):
            options = yaml.safe_load(match["options"]) if match["options"] else {}
            yield chapter.name, text[: match.start()].count("\n") + 1, options or {}, match["code"]


def _shows_drawing(code: str) -> bool:
    """Whether the cell's last statement is a call to one of the course's drawings (its value is shown)."""
    body = ast.parse("\n".join(line for line in code.splitlines() if not line.startswith(("%", ":")))).body
    if not body or not isinstance(body[-1], ast.Expr) or not isinstance(body[-1].value, ast.Call):
        return False
    func = body[-1].value.func
    if isinstance(func, ast.Attribute):
        return isinstance(func.value, ast.Name) and func.value.id in DRAWING_MODULES
    return isinstance(func, ast.Name) and func.id in DRAWING_FUNCTIONS


FIGURE_CELLS = [
    pytest.param(options, id=f"{chapter}:{line}")
    for chapter, line, options, code in _cells()
    if "figure" in options.get("mystnb", {}) or _shows_drawing(code)
]


def test_the_book_has_figures():
    assert len(FIGURE_CELLS) >= 60


@pytest.mark.parametrize("options", FIGURE_CELLS)
def test_every_figure_has_alt_text(options):
    """A screen reader reads the alt text; without it, it reads the image's file name."""
    alt = options.get("mystnb", {}).get("image", {}).get("alt", "")
    assert len(alt.split()) >= 8, "give the cell `mystnb: image: alt:` a sentence that says what the figure shows"
    assert not re.search(r"\.(png|svg|jpe?g)\b", alt)


def _text_figure(width: float, fontsize: float) -> Figure:
    fig = Figure(figsize=(width, 2.5), dpi=figures.DPI, layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title("a title", fontsize=fontsize)
    return fig


def test_the_course_style_is_readable_on_a_phone():
    with matplotlib.rc_context(figures.STYLE):
        assert figures.check_readable(_text_figure(figures.WIDTH, figures.SMALL))


def test_a_too_small_font_is_refused():
    with matplotlib.rc_context(figures.STYLE), pytest.raises(figures.UnreadableFigure, match=r"'a title' \(6 pt\)"):
        figures.check_readable(_text_figure(figures.WIDTH, 6))


def test_a_too_wide_figure_is_refused():
    with matplotlib.rc_context(figures.STYLE), pytest.raises(figures.UnreadableFigure, match="phone"):
        figures.check_readable(_text_figure(12, figures.SMALL))


def test_the_drawings_check_their_figures():
    """A drawing that makes unreadable text fails when it is called, so the book's build fails."""
    unreadable = figures.drawing(lambda: _text_figure(12, 10))
    with pytest.raises(figures.UnreadableFigure):
        unreadable()
    assert figures.matrices([np.eye(3)], ["identity"])


def test_pyplot_figures_are_checked_too():
    """The chapters' own cells make pyplot figures: a too-wide one fails when it is made."""
    with pytest.raises(figures.UnreadableFigure, match="default text"):
        plt.subplots(figsize=(12, 3))
    plt.close("all")
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("tiny", fontsize=4)
    with pytest.raises(figures.UnreadableFigure, match="'tiny'"):
        fig.canvas.draw()
    plt.close(fig)


def test_signs_have_one_colour_convention():
    """Positive values orange, negative purple: ``tint`` agrees with ``SIGNED``, and no drawing
    or chapter names another diverging map."""
    positive, negative = figures.tint(1.0, 1.0), figures.tint(-1.0, 1.0)
    assert positive[0] > positive[2] and negative[2] > negative[0]
    sources = [*ROOT.glob("autograder/chapters/*/figures.py"), ROOT / "autograder/runtime/figures.py", *CHAPTERS]
    other = re.compile(r"\b(RdBu|PiYG|PRGn|BrBG|RdGy|RdYlBu|coolwarm|bwr|seismic)")
    assert [str(path) for path in sources if other.search(path.read_text())] == []


def test_the_dilation_figure_hatches_exactly_the_pixels_no_window_reads():
    """n = 11, k = 3, p = 1, s = 3, d = 2: windows at 0, 3, 6 read 0 2 4, 3 5 7, 6 8 10."""
    fig = ch04.output_axis(n=11, k=3, padding=1, stride=3, dilation=2)
    ax = fig.axes[0]
    pixels = sorted({p.get_x() for p in ax.patches if p.get_y() == 0})
    hatched = {pixels.index(p.get_x()) for p in ax.patches if p.get_y() == 0 and p.get_hatch()}
    assert hatched == {1, 9, 11, 12}


def test_images_link_to_their_full_size_file():
    document = new_document("page", get_default_settings(Parser))
    image = nodes.image(uri="out/figure.png", candidates={"*": "out/figure.png"}, alt="a figure")
    document += nodes.container("", image)
    builder = SimpleNamespace(
        format="html",
        imagedir="_images",
        supported_image_types=["image/png"],
        get_target_uri=lambda name: f"{name}.html",
    )
    app = SimpleNamespace(builder=builder, env=SimpleNamespace(images={"out/figure.png": ({"ch"}, "figure1.png")}))
    link_images(app, document, "ch")
    link = image.parent
    assert isinstance(link, nodes.reference) and link["refuri"] == "_images/figure1.png"
