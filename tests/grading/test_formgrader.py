"""Grading in a real browser: formgrader shows the written answers; feedback typesets its math.

A Jupyter server with nbgrader's formgrader runs on a copy of the graded class (on the
loopback interface, with a fresh token); headless Chromium walks the instructor's path,
from the notebook's list of submissions to one student's grading view, and gives points.
Chromium may reach nothing but this machine.
"""

import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.error import URLError
from urllib.parse import urlsplit

import pytest
from course import Course
from nbgrader.api import Gradebook
from playwright.sync_api import BrowserContext, Page, Route, expect, sync_playwright

from autograder.instructors.course import nbgrader_env

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SERVER_START_SECONDS = 90
LOCAL_SCHEMES = {"file", "data", "blob", "about"}
# Where the feedback template looks for MathJax when the course's copy is not beside the page.
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/**"
# MathJax's script is deferred; its startup promise resolves after the first typesetting.
MATHJAX_TYPESET_JS = (
    "async () => Boolean(window.MathJax && MathJax.startup) && MathJax.startup.promise.then(() => true)"
)
# formgrader's grading view binds its score boxes to the gradebook once it has fetched the grades.
GRADES_LOADED_JS = "() => Boolean(window.formgrader && formgrader.grades && formgrader.grades.loaded)"


class Server(NamedTuple):
    """Where the Jupyter server listens and the token it accepts."""

    url: str
    token: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(server: subprocess.Popen, url: str, log: Path) -> None:
    """Return once the server answers ``url``; fail with its log if it exits or never answers."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the Jupyter server exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (URLError, ConnectionError):
            time.sleep(0.5)
    pytest.fail(f"the Jupyter server did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def course(graded_class, tmp_path_factory: pytest.TempPathFactory) -> Course:
    """A copy of the graded class, so that grading here changes no other test's course."""
    return Course.copy_of(graded_class.course, tmp_path_factory.mktemp("formgrader") / "course")


@pytest.fixture(scope="module")
def jupyter(course: Course, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Jupyter server with formgrader serving the course."""
    token, port = secrets.token_hex(16), _free_port()
    home = tmp_path_factory.mktemp("jupyter-home")
    env = dict(nbgrader_env(), JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_CONFIG_DIR=str(home / "config"))
    log = home / "server.log"
    command = [
        "jupyter",
        "server",
        "--no-browser",
        "--ServerApp.allow_root=True",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={course.root}",
        "--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=True",
    ]
    with open(log, "w") as output:
        server = subprocess.Popen(command, cwd=course.root, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, f"{base}/api/status?token={token}", log)
        yield Server(base, token)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Browser(NamedTuple):
    """A Chromium context and the requests it refused to send off this machine."""

    context: BrowserContext
    refused: list[str]


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    """Headless Chromium with a fresh profile, refusing every request to another host
    (formgrader's own pages ask a CDN for MathJax)."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"no {CHROMIUM} (`make system-packages` installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    refused: list[str] = []

    def local_only(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in LOCAL_SCHEMES or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path / "chromium-profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context.route("**/*", local_only)
        yield Browser(context, refused)
        context.close()


@pytest.fixture
def page(browser: Browser, jupyter: Server) -> Page:
    """A page that sends the server's token with every request (formgrader's own included)."""
    page = browser.context.new_page()
    page.set_extra_http_headers({"Authorization": f"token {jupyter.token}"})
    return page


def _written_answer(course: Course, graded) -> tuple[str, float | None]:
    """The writer's submission id and the manual score of their written answer, from the gradebook."""
    with Gradebook(course.db_url) as gradebook:
        notebook = gradebook.find_submission_notebook(graded.assignment, graded.assignment, graded.writer)
        grade = gradebook.find_grade(graded.written_id, graded.assignment, graded.assignment, graded.writer)
        return notebook.id, grade.manual_score


def test_written_answer_is_graded_in_formgrader(page: Page, jupyter: Server, graded_class, course: Course) -> None:
    """From the notebook's submissions to one student's view: the written answer is shown, and
    points given there are saved."""
    assignment = graded_class.assignment
    submission, score_before = _written_answer(course, graded_class)
    assert score_before is None, "the written answer starts ungraded"
    page.goto(f"{jupyter.url}/formgrader/gradebook/{assignment}/{assignment}")
    link = page.locator(f"a[href$='/formgrader/submissions/{submission}']").first
    expect(link).to_be_visible(timeout=30_000)
    listed = page.eval_on_selector_all("a[href*='/formgrader/submissions/']", "links => links.map(a => a.href)")
    assert len(set(listed)) == len(graded_class.students) - 1, "every autograded submission is listed"
    link.click()

    answer = page.get_by_text(graded_class.written_answer)
    expect(answer).to_be_visible(timeout=30_000)
    page.wait_for_function(GRADES_LOADED_JS)
    score = page.locator(f"input.score#{graded_class.written_id}")
    expect(score).to_have_value("")
    score.fill("2")

    def saving(response) -> bool:
        return "/formgrader/api/grade/" in response.url and response.request.method == "PUT"

    with page.expect_response(saving) as saved:
        score.press("Tab")
    assert saved.value.ok, f"formgrader did not save the points: HTTP {saved.value.status}"
    assert _written_answer(course, graded_class)[1] == 2


def test_feedback_typesets_math_offline(browser: Browser, graded_class) -> None:
    """A student's feedback page, opened from disk, typesets its formulas with the course's MathJax alone."""
    course, assignment = graded_class.course, graded_class.assignment
    feedback = course.submission("feedback", graded_class.writer, assignment) / f"{assignment}.html"
    page = browser.context.new_page()
    page.goto(feedback.as_uri(), wait_until="load")
    assert page.evaluate(MATHJAX_TYPESET_JS), "MathJax did not start"
    assert page.locator("mjx-container").count() > 0, "no formula was typeset"
    assert not browser.refused, f"requests to other hosts: {browser.refused}"


def test_feedback_handed_out_alone_typesets_math_from_a_cdn(browser: Browser, graded_class, tmp_path: Path) -> None:
    """A feedback page without the course's MathJax beside it (release_feedback hands out the HTML
    alone) asks a CDN for the same MathJax, and typesets with it (served here from the course's copy)."""
    course, assignment = graded_class.course, graded_class.assignment
    alone = tmp_path / "released" / f"{assignment}.html"
    alone.parent.mkdir()
    shutil.copy(course.submission("feedback", graded_class.writer, assignment) / f"{assignment}.html", alone)
    asked: list[str] = []

    def from_the_course(route: Route) -> None:
        asked.append(route.request.url)
        route.fulfill(path=course.folder("feedback") / "mathjax" / route.request.url.split("/es5/", 1)[1])

    page = browser.context.new_page()
    page.route(MATHJAX_CDN, from_the_course)
    page.goto(alone.as_uri(), wait_until="load")
    assert page.evaluate(MATHJAX_TYPESET_JS), "MathJax did not start"
    assert page.locator("mjx-container").count() > 0, "no formula was typeset"
    assert asked and asked[0].endswith("/es5/tex-chtml-full.js"), asked
    assert not browser.refused, f"requests to other hosts: {browser.refused}"
