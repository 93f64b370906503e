"""A student's notebook in JupyterLab, in headless Chromium: "Run All" with a wrong answer shows
the failed check as HTML, goes on to the later exercises, and "Read more" opens the book. The
Lab is set up as `cnn-course lab-setup` leaves a student's: no instructors' tools."""

import json
import re
import shutil
from collections.abc import Iterator

import nbformat
import pytest
from answers import named
from course import REPO
from lab import get, running_lab
from playwright.sync_api import Page, sync_playwright

from autograder.instructors.submissions import with_mistake
from autograder.runtime import lab_setup

pytestmark = pytest.mark.slow

ASSIGNMENT = "ch02_cross_correlation"
CONFIG_DATA = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """JupyterLab, set up for a student, on a copy of the course's layout: the exercise, solved
    but for corr2d (which flips the kernel, a known mistake), and the book's chapter page two
    folders up."""
    root = tmp_path_factory.mktemp("lab")
    release = nbformat.read(REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solution = nbformat.read(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    mistake = named("corr2d_flips_kernel")
    (root / "exercises" / ASSIGNMENT).mkdir(parents=True)
    notebook = with_mistake(release, solution, mistake.exercise, mistake.source)
    nbformat.write(notebook, root / "exercises" / ASSIGNMENT / "mistake.ipynb")
    (root / "book").mkdir()
    shutil.copy(REPO / "book" / f"{ASSIGNMENT}.md", root / "book")
    lab_setup.set_up(config_dir=root / ".config")
    with running_lab(root, root / ".config") as url:
        yield url


@pytest.fixture(scope="module")
def page(lab: str, tmp_path_factory) -> Iterator[Page]:
    """The notebook open in Chromium, after Run > Run All Cells has finished."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("no `chromium` on PATH (`make system-packages` installs Debian's)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{lab}/lab/tree/exercises/{ASSIGNMENT}/mistake.ipynb")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=60_000)
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        page.wait_for_selector(".jp-OutputArea-output:has-text('Visible checks passed.')", timeout=120_000)
        page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=120_000)
        yield page
        browser.close()


def test_the_students_lab_has_no_instructors_tools(lab: str):
    """After lab-setup, the server answers no formgrader and no assignment list, and the page
    turns off their extensions (no exchange here)."""
    assert get(f"{lab}/formgrader")[0] == 404 and get(f"{lab}/assignments")[0] == 404
    page = get(f"{lab}/lab")[1]
    disabled = set(json.loads(CONFIG_DATA.search(page)[1])["disabledExtensions"])
    assert set(lab_setup.INSTRUCTORS_ONLY + lab_setup.EXCHANGE_ONLY) <= disabled


def test_the_failure_is_html_with_the_hint(page: Page):
    """The failed check is a rendered box (not monospace text on red) holding the hint."""
    box = page.locator(".cnn-failure").first
    box.scroll_into_view_if_needed()
    assert box.is_visible()
    assert named("corr2d_flips_kernel").hint in " ".join(box.text_content().split())
    assert box.locator("table").count() == 2  # expected and got


def test_run_all_goes_on_after_a_failed_check(page: Page):
    """The exercises after the failing one ran: corr2d_vectorized's check passed."""
    outputs = [output.text_content() for output in page.locator(".jp-OutputArea-output").all()]
    assert any("Visible checks passed." in text for text in outputs)


def test_read_more_opens_the_book_section(page: Page):
    """The link opens the chapter's page in a JupyterLab tab."""
    link = page.locator(".cnn-failure a").first
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_selector(f".lm-TabBar-tab:has-text('{ASSIGNMENT}.md')", timeout=30_000)
