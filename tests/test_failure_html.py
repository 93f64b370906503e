"""A failed check as a student reads it in Jupyter (HTML) and as nbgrader's feedback shows it (text)."""

import html
import re

import pytest
from answers import checks, named, with_mistake

from autograder.runtime import failure_html, notebook
from autograder.runtime.compare import CheckFailure

BOOK = "https://course.example/book"


@pytest.fixture(scope="module")
def flipped() -> CheckFailure:
    """corr2d's visible check on the known mistake that flips the kernel."""
    answer = with_mistake(named("corr2d_flips_kernel"))["corr2d"]
    with pytest.raises(CheckFailure) as failed:
        checks("corr2d")[0](answer)
    return failed.value


def test_the_page_keeps_every_word_of_the_message(flipped, monkeypatch):
    """Title, comparison lines, hint and where to read more all appear; the hint is set apart."""
    monkeypatch.setenv(failure_html.BOOK_URL_VAR, BOOK)
    page = failure_html.as_html(flipped)
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for line in str(flipped).splitlines():
        assert line.strip() in text, line
    assert '<div class="cnn-hint">Hint: ' in page


def test_expected_and_got_are_tables_with_the_wrong_entries_marked(flipped):
    page = failure_html.as_html(flipped)
    assert "<caption>expected</caption>" in page and "<caption>got</caption>" in page
    assert page.count("class=cnn-wrong") == 2 * 4  # all 4 values differ, marked in both tables


def test_read_more_links_to_the_section_in_the_book(flipped, monkeypatch):
    """With the book's address known, the section named in words is a link to its heading."""
    monkeypatch.setenv(failure_html.BOOK_URL_VAR, BOOK)
    page = failure_html.as_html(flipped)
    assert f'href="{BOOK}/ch02_cross_correlation.html#cross-correlation-or-convolution"' in page


def test_in_a_copy_of_the_course_read_more_opens_the_markdown_page(flipped, monkeypatch):
    """Without an address, from an exercise folder of the course, the link opens book/ in JupyterLab."""
    monkeypatch.delenv(failure_html.BOOK_URL_VAR, raising=False)
    monkeypatch.setattr(failure_html, "_packaged_book_url", lambda: None)
    monkeypatch.chdir(failure_html.Path(__file__).parents[1] / "exercises" / "ch02_cross_correlation")
    assert 'href="../../book/ch02_cross_correlation.md#Cross-correlation-or-convolution?"' in failure_html.as_html(
        flipped
    )


class Shell:
    """What the custom exception handler needs of IPython's shell: where outputs go."""

    def __init__(self) -> None:
        self.traceback: list[str] = []

    def _showtraceback(self, etype, value, lines) -> None:
        self.traceback = lines


@pytest.mark.parametrize("execution", ["autograde", "validate"])
def test_under_nbgrader_the_message_is_plain_text(flipped, execution, monkeypatch):
    """nbgrader's runs (feedback, validation) get the whole message as text, and no HTML."""
    monkeypatch.setenv("NBGRADER_EXECUTION", execution)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a))
    shell = Shell()
    notebook._show_message(shell, CheckFailure, flipped, None)
    assert not shown and str(flipped) in shell.traceback[0]


def test_in_jupyter_the_html_comes_first_and_the_cell_still_fails(flipped, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw: shown.append(bundle))
    shell = Shell()
    notebook._show_message(shell, CheckFailure, flipped, None)
    (bundle,) = shown
    assert bundle["text/plain"] == str(flipped) and 'class="cnn-failure"' in bundle["text/html"]
    assert len(shell.traceback) == 1 and "the whole message is above" in shell.traceback[0]


def test_traceback_lines_name_the_cell_as_ipython_does():
    """An answer that raises, defined in a notebook cell, is located as "Cell In[n]", not by the
    temporary file the kernel compiled the cell from."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("import torch\ndef corr2d(X, K):\n    return X[100]\n", store_history=True)
    with pytest.raises(CheckFailure) as failed:
        checks("corr2d")[0](shell.user_ns["corr2d"])
    assert re.search(r'File "Cell In\[\d+\]", line 3, in corr2d', str(failed.value)), str(failed.value)
