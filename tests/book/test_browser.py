"""The built book in headless Chromium: math typeset, images loaded, no errors, nothing remote."""

import os
import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, sync_playwright

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
LOCAL_SCHEMES = {"data", "blob", "about"}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# TeX left as text: a control word (\frac, \sum, ...), a math delimiter \( \) \[ \], or $$.
RAW_TEX = re.compile(r"\\[A-Za-z]+|\\[()\[\]]|\$\$")
# All the text of the page (shown or hidden) outside code, scripts and typeset math: where
# TeX must not remain. Code may quote TeX on purpose, so it is left out.
PROSE_TEXT_JS = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const parts = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.parentElement.closest("pre, code, script, style, textarea, mjx-container")) {
            parts.push(node.data);
        }
    }
    return parts.join(" ");
}"""
# MathJax's script is deferred, so by the load event it has run if it could be fetched;
# its startup promise resolves once the first typesetting pass is over.
MATHJAX_TYPESET_JS = """async () => {
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return false;
    await MathJax.startup.promise;
    return true;
}"""
BROKEN_IMAGES_JS = """() => Array.from(document.images)
    .filter(img => img.naturalWidth === 0)
    .map(img => img.src)"""


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def book_url(built_book: Path) -> Iterator[str]:
    """The built book served over HTTP on 127.0.0.1 by a background thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(built_book)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """The headless Chromium on PATH with a fresh profile, as a Playwright browser context."""
    executable = shutil.which("chromium")
    if executable is None:
        message = "no `chromium` on PATH (`make system-packages` installs Debian's)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path_factory.mktemp("chromium-profile"),
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
        )
        yield context
        context.close()


class Visit:
    """A page of the book opened in Chromium, with what it logged and requested on the way."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(url, wait_until="load")
        self.loads_mathjax = self.page.locator("script[src*='mathjax']").count() > 0
        self.mathjax_ran = self.page.evaluate(MATHJAX_TYPESET_JS)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def remote_requests(self) -> list[str]:
        """The requested URLs that would leave this machine."""
        urls = [(url, urlsplit(url)) for url in self.requests]
        return [url for url, parts in urls if parts.scheme not in LOCAL_SCHEMES and parts.hostname not in LOCAL_HOSTS]


@pytest.fixture
def visit(chromium: BrowserContext, book_url: str, toc_page: str) -> Iterator[Visit]:
    """The toc page opened in Chromium, once its math is typeset."""
    opened = Visit(chromium, f"{book_url}{toc_page}.html")
    yield opened
    opened.page.close()


def test_math_is_typeset(visit: Visit) -> None:
    """No TeX is left as text outside code, and math elements were typeset by MathJax."""
    if visit.loads_mathjax:
        assert visit.mathjax_ran, "the page loads MathJax, but MathJax did not start"
    leftovers = sorted(set(RAW_TEX.findall(visit.page.evaluate(PROSE_TEXT_JS))))
    assert not leftovers, f"TeX left as text on the page: {leftovers}"
    if visit.page.locator(".math").count():
        typeset = visit.page.locator("mjx-container").count()
        assert typeset, "the page has math but MathJax typeset none of it"


def test_images_load(visit: Visit) -> None:
    """Every image of the page loaded (its natural width is not 0)."""
    broken = visit.page.evaluate(BROKEN_IMAGES_JS)
    assert not broken, f"images that did not load: {broken}"


def test_no_console_or_page_error(visit: Visit) -> None:
    """The page logs no console error and raises no uncaught exception."""
    errors = visit.console_errors + visit.page_errors
    assert not errors, "\n".join(errors)


def test_no_request_leaves_the_machine(visit: Visit) -> None:
    """The page requests nothing but the local server (and data:, blob:, about: URLs)."""
    remote = visit.remote_requests()
    assert not remote, "requests to other hosts:\n" + "\n".join(remote)


def test_chapter_screenshot(chromium: BrowserContext, book_url: str, chapter_page: str) -> None:
    """A full-page screenshot of each chapter, typeset, is saved to artifacts/ for a person to look at."""
    screenshot = ARTIFACTS / f"{Path(chapter_page).name}.png"
    screenshot.parent.mkdir(exist_ok=True)
    screenshot.unlink(missing_ok=True)
    opened = Visit(chromium, f"{book_url}{chapter_page}.html")
    opened.page.screenshot(path=screenshot, full_page=True)
    opened.page.close()
    assert screenshot.stat().st_size > 0
