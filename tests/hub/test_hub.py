"""A class on the course's JupyterHub (deploy/hub), end to end, in headless Chromium.

The hub runs on 127.0.0.1 with an instructor and two students (system users, JupyterHub's
dummy authenticator). The instructor releases chapter 2; student A logs in, fetches it from
the Assignment List, opens it, writes a correct answer, validates and submits; student B
submits a known mistake; the instructor collects, grades with ``cnn-course grade``, and
generates and releases feedback; each student fetches the feedback and sees their own
score, and B the mistake's hint. Neither student can open the other's files, the instructors'
course folder or the course's answers. Screenshots of each step go to artifacts/hub/.

Needs root (it creates the users), Chromium and Node.js; the hub's set-up installs the
students' environment (a few minutes the first time). Marked ``hub``: skip it with
``-m "not hub"``.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from answers import SOLUTIONS, named
from playwright.sync_api import Browser, Page, sync_playwright

from autograder.instructors.submissions import solved, with_mistake

pytestmark = [pytest.mark.slow, pytest.mark.hub]

REPO = Path(__file__).resolve().parents[2]
HUB = REPO / "deploy" / "hub"
ARTIFACTS = REPO / "artifacts" / "hub"
KEY = "ch02_cross_correlation"
INSTRUCTOR, STUDENT_A, STUDENT_B = "cnnhub-ins", "cnnhub-a", "cnnhub-b"
PASSWORD = "course-hub-test"
MISTAKE = "corr2d_flips_kernel"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
# A folder every user can reach (pytest's own temporary folders are closed to other users).
HUB_ROOT = Path("/tmp/cnn-course-hub-test")
STARTUP_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_user(user: str, *command: str, cwd: Path | None = None, role: str = "students") -> subprocess.CompletedProcess:
    """Run ``command`` as ``user`` (in ``cwd``, else their home) with the role's environment and
    Jupyter configuration."""
    roster = json.loads((HUB_ROOT / "roster.json").read_text())
    env_bin = Path(roster["environments"][role]) / "bin"
    home = os.path.expanduser(f"~{user}")
    env = {
        "HOME": home,
        "PATH": f"{env_bin}:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": str(HUB_ROOT / "config" / role),
        "TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR": "1",
    }
    env_args = [f"{k}={v}" for k, v in env.items()]
    return subprocess.run(
        ["runuser", "-u", user, "--", "env", "-i", *env_args, *command],
        cwd=cwd or home,
        capture_output=True,
        text=True,
        check=False,
    )


def instructor(*command: str) -> str:
    """Run a command as the instructor in the course folder; fail with its output if it fails."""
    done = as_user(INSTRUCTOR, *command, cwd=HUB_ROOT / "course", role="instructors")
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def hub() -> Iterator[str]:
    """The hub, set up and started; its URL."""
    for need, why in ((os.geteuid() == 0, "runs as root"), (shutil.which("chromium"), "Chromium on PATH")):
        if not need:
            pytest.skip(f"the hub test needs {why}")
    # The course's Python may lie under root's home (pyenv): let the users reach it.
    for folder in Path(sys.base_prefix).resolve().parents:
        if folder == Path("/root"):
            folder.chmod(folder.stat().st_mode | 0o001)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HUB, check=True)
    HUB_ROOT.mkdir(mode=0o755, exist_ok=True)
    for name in ("course", "exchange", "config", "jupyterhub.sqlite"):
        path = HUB_ROOT / name
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    setup = [sys.executable, str(HUB / "hub.py"), "--root", str(HUB_ROOT), "setup", "--create-users"]
    students = f"{STUDENT_A},{STUDENT_B}"
    subprocess.run([*setup, "--instructors", INSTRUCTOR, "--students", students], check=True, capture_output=True)
    for user in (INSTRUCTOR, STUDENT_A, STUDENT_B):  # a clean home each run
        home = Path(os.path.expanduser(f"~{user}"))
        for entry in home.iterdir():
            if not entry.name.startswith("."):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    port = free_port()
    env = dict(os.environ, CNN_HUB_AUTHENTICATOR="dummy", CNN_HUB_PASSWORD=PASSWORD, CNN_HUB_IP="127.0.0.1")
    env.update(CNN_HUB_PORT=str(port), CNN_HUB_API_PORT=str(free_port()), CNN_HUB_PROXY_API_PORT=str(free_port()))
    log = (HUB_ROOT / "hub.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(HUB / "hub.py"), "--root", str(HUB_ROOT), "start"],
        cwd=HUB_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while "JupyterHub is now running" not in (HUB_ROOT / "hub.log").read_text():
        assert process.poll() is None and time.monotonic() < deadline, (HUB_ROOT / "hub.log").read_text()[-3000:]
        time.sleep(0.5)
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(page: Page, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{step}.png")


def log_in(browser: Browser, url: str, user: str) -> Page:
    """``user`` logged in, in JupyterLab (their server started)."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/lab**", timeout=STARTUP_SECONDS * 1000)
    page.wait_for_selector(".jp-LabShell", timeout=STARTUP_SECONDS * 1000)
    return page


def menu_items(page: Page) -> list[str]:
    """The items of JupyterLab's Nbgrader menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    items = [text for text in page.locator(".lm-Menu-itemLabel").all_inner_texts() if text]
    page.keyboard.press("Escape")
    return items


def assignment_list(page: Page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    page.wait_for_selector("#released_assignments_list")


def show_notebooks(page: Page) -> None:
    """Unfold the fetched assignment's list of notebooks."""
    page.locator("#fetched_assignments_list a.assignment-notebooks-link").click()
    page.locator("#fetched_assignments_list .nested_list_item a").wait_for()


def put_notebook(page: Page, user: str, path: str, notebook: nbformat.NotebookNode) -> None:
    """Save ``notebook`` at ``path`` through the user's own server (as JupyterLab saves)."""
    status = page.evaluate(
        """async ([user, path, content]) => {
            const xsrf = decodeURIComponent((document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "");
            const reply = await fetch(`/user/${user}/api/contents/${path}`, {
                method: "PUT",
                headers: {"Content-Type": "application/json", "X-XSRFToken": xsrf},
                body: JSON.stringify({type: "notebook", format: "json", content}),
            });
            return reply.status;
        }""",
        [user, path, json.loads(nbformat.writes(notebook))],
    )
    assert status in (200, 201), f"saving {path} answered {status}"


def work_on_assignment(browser: Browser, url: str, user: str, notebook: nbformat.NotebookNode) -> str:
    """The student fetches the assignment, writes ``notebook`` into it, opens it, validates it
    and submits it; returns what Validate said."""
    page = log_in(browser, url, user)
    assert "Formgrader" not in menu_items(page), "a student sees the Formgrader"
    assignment_list(page)
    page.locator("#released_assignments_list button", has_text="Fetch").click()
    page.wait_for_selector("#fetched_assignments_list button:has-text('Submit')")
    shot(page, f"{user}-1-fetched")
    put_notebook(page, user, f"{KEY}/{KEY}.ipynb", notebook)
    show_notebooks(page)
    page.locator("#fetched_assignments_list .nested_list_item a", has_text=KEY).click()
    page.wait_for_selector(".jp-NotebookPanel")
    shot(page, f"{user}-2-opened")
    page.locator(".jp-NotebookPanel-toolbar .validate-button").click()  # nbgrader's Validate
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=180_000)
    verdict = dialog.inner_text()
    shot(page, f"{user}-3-validated")
    page.locator(".jp-Dialog button").last.click()
    page.locator(".lm-TabBar-tab", has_text="Assignments").click()
    page.locator("#fetched_assignments_list button", has_text="Submit").click()
    page.wait_for_selector("#submitted_assignments_list .list_item", timeout=60_000)
    shot(page, f"{user}-4-submitted")
    page.context.close()
    return verdict


def fetch_feedback(browser: Browser, url: str, user: str) -> str:
    """The student fetches their feedback in the Assignment List; returns its text."""
    page = log_in(browser, url, user)
    assignment_list(page)
    page.locator("#submitted_assignments_list button", has_text="Fetch Feedback").click()
    home = Path(os.path.expanduser(f"~{user}"))
    deadline = time.monotonic() + 60
    while not list(home.glob(f"{KEY}/feedback/*/{KEY}.html")):
        assert time.monotonic() < deadline, "no feedback arrived"
        time.sleep(0.5)
    shot(page, f"{user}-5-feedback-fetched")
    relative = next(home.glob(f"{KEY}/feedback/*/{KEY}.html")).relative_to(home)
    page.goto(f"{url}/user/{user}/files/{relative}")
    shot(page, f"{user}-6-feedback")
    text = page.inner_text("body")
    page.context.close()
    return text


def score(feedback: str) -> tuple[float, float]:
    """The total score of a feedback page: (points, out of)."""
    found = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", feedback)
    assert found, feedback[:2000]
    return float(found[1]), float(found[2])


def test_a_class_on_the_hub(hub: str, browser: Browser) -> None:
    """Release, fetch, work, validate, submit, collect, grade, feedback, each in its account."""
    instructor("nbgrader", "release_assignment", KEY)
    teacher = log_in(browser, hub, INSTRUCTOR)
    assert "Formgrader" in menu_items(teacher), "the instructor has no Formgrader"
    shot(teacher, "instructor-1-lab")
    teacher.context.close()

    release = nbformat.read(REPO / "exercises" / KEY / f"{KEY}.ipynb", as_version=4)
    solution = SOLUTIONS[KEY]
    verdict_a = work_on_assignment(browser, hub, STUDENT_A, solved(release, solution))
    mistake = named(MISTAKE)
    verdict_b = work_on_assignment(browser, hub, STUDENT_B, with_mistake(release, solution, "corr2d", mistake.source))
    assert "passes all the tests" in verdict_a or "Success" in verdict_a, verdict_a
    assert "Success" not in verdict_b, verdict_b

    instructor("nbgrader", "collect", KEY)
    instructor("cnn-course", "--root", ".", "grade", KEY, "--quiet")
    instructor("nbgrader", "generate_feedback", KEY)
    instructor("nbgrader", "release_feedback", KEY)

    feedback_a, feedback_b = fetch_feedback(browser, hub, STUDENT_A), fetch_feedback(browser, hub, STUDENT_B)
    # The written answer is not graded yet: A has every autograded point, B loses corr2d's.
    (points_a, total), (points_b, _) = score(feedback_a), score(feedback_b)
    assert 0 < points_b < points_a < total, (points_a, points_b, total)
    assert f"Hint: {mistake.hint}" in feedback_b, "B's feedback does not give the mistake's hint"
    assert f"Hint: {mistake.hint}" not in feedback_a


@pytest.mark.parametrize(
    ("user", "path"),
    [
        (STUDENT_A, f"~{STUDENT_B}"),
        (STUDENT_B, f"~{STUDENT_A}"),
        (STUDENT_A, str(HUB_ROOT / "course")),
        (STUDENT_B, str(HUB_ROOT / "course" / "solutions")),
    ],
)
def test_a_student_cannot_open_what_is_not_theirs(hub: str, user: str, path: str) -> None:
    """Another student's home and the instructors' course folder are closed to a student."""
    folder = os.path.expanduser(path)
    assert Path(folder).exists()
    denied = as_user(user, "ls", folder)
    assert denied.returncode != 0 and "Permission denied" in denied.stderr, denied


def test_the_students_environment_holds_no_answer(hub: str) -> None:
    """Students' kernels can import the visible checks, but not the references or hidden checks."""
    probe = "import autograder.chapters.{key}.{module}"
    checks = as_user(STUDENT_A, "python", "-c", probe.format(key=KEY, module="checks"))
    assert checks.returncode == 0, checks.stderr
    for module in ("reference", "hidden", "mistakes"):
        leaked = as_user(STUDENT_A, "python", "-c", probe.format(key=KEY, module=module))
        assert "ModuleNotFoundError" in leaked.stderr, f"students can import {module}"
