"""The built book in headless Chromium, every page of the table of contents on a phone and on a
desktop, as a reader would see it: math typeset, images that load, open full size and have
alt text, nothing wider than the screen, sidebar buttons that work, no accessibility fault that
axe-core rates serious or critical, no error, nothing requested from another machine.

Each page is opened once per screen for all the tests below; the sidebar test, which clicks,
runs last on it.
"""

import os
import re
import shutil
import threading
from collections.abc import Iterator
from functools import cached_property, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright

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
# The pages saved whole to artifacts/: the chapters.
CHAPTER_PAGE = re.compile(r"book/ch\d\d_\w+")
# A phone (an iPhone 14's CSS pixels) and a laptop.
SCREENS = {"phone": (390, 844), "desktop": (1280, 800)}
LOCAL_SCHEMES = {"data", "blob", "about"}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# TeX left as text: any dollar sign, a control word (\frac, \begin, ...) or a delimiter \( \) \[ \].
RAW_TEX = re.compile(r"\$|\\[A-Za-z]+|\\[()\[\]]")
# axe-core's default rules, plus one it ships disabled (experimental) that the book once failed;
# no preloading of style sheets (axe resolves their @import against the page, not the sheet,
# and requests files that do not exist).
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    "preload": False,
}
# What axe checks on each screen: all of it on a desktop; on a phone, what differs (the header,
# the buttons and menus), not the article again (axe takes seconds on a long chapter).
AXE_CONTEXTS = {"desktop": None, "phone": {"exclude": [["article.bd-article"]]}}
AXE_FAILING_IMPACTS = {"serious", "critical"}
# An alt text that is only a file's name or path.
FILE_NAME = re.compile(r"^\S*\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)
# All the text of the page (shown or hidden) outside code, scripts and typeset math: where
# TeX must not remain. Code may quote TeX on purpose, so it is left out.
PROSE_TEXT_JS = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const parts = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!node.parentElement.closest("pre, code, kbd, script, style, textarea, mjx-container")) {
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
IMAGES_JS = """() => Array.from(document.images).map(img => ({
    src: img.getAttribute("src"),
    alt: img.getAttribute("alt"),
    loaded: img.naturalWidth > 0,
    link: img.closest("a") && img.closest("a").href,
}))"""
# Shown elements whose right edge passes the viewport's, unless a box around them that fits
# the viewport clips or scrolls them; and the scrolling boxes that hide content with no cue.
OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const fits = box => box.getBoundingClientRect().right <= width + 1;
    const scrolls = box => getComputedStyle(box).overflowX !== "visible";
    const describe = e => `<${e.tagName.toLowerCase()} class="${e.className}"> "${
        (e.textContent || "").trim().slice(0, 60)}"`;
    const wide = [];
    for (const e of document.querySelectorAll("body *")) {
        const box = e.getBoundingClientRect();
        if (!box.width || box.right <= width + 1 || getComputedStyle(e).visibility === "hidden") continue;
        let contained = false;
        for (let up = e.parentElement; up && !contained; up = up.parentElement) {
            contained = scrolls(up) && fits(up);
        }
        if (!contained && !wide.some(w => w.contains(e))) wide.push(e);
    }
    const uncued = Array.from(document.querySelectorAll("div.math, .pst-scrollable-table-container"))
        .filter(box => box.scrollWidth > box.clientWidth + 1)
        .filter(box => !getComputedStyle(box).backgroundImage.includes("gradient"));
    return {
        page: document.documentElement.scrollWidth - width,
        wide: wide.map(describe),
        uncued: uncued.map(describe),
    };
}"""
SHOWN_JS = """element => !!element && element.getClientRects().length > 0
    && getComputedStyle(element).visibility !== 'hidden'"""


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
def chromium() -> Iterator[Browser]:
    """The headless Chromium on PATH, through Playwright."""
    executable = shutil.which("chromium")
    if executable is None:
        message = "no `chromium` on PATH (`make system-packages` installs Debian's)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=list(SCREENS))
def screen(request: pytest.FixtureRequest) -> str:
    """The name of a screen of SCREENS."""
    return request.param


class Visit:
    """A page of the book opened in Chromium on one screen, with what it logged, requested and
    got on the way, once its math is typeset."""

    def __init__(self, browser: Browser, url: str, screen: str) -> None:
        width, height = SCREENS[screen]
        self.screen = screen
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.failed.append(f"{request.url} ({request.failure})"))
        self.page.on("response", self._on_response)
        self.page.goto(url, wait_until="load")
        self.loads_mathjax = self.page.locator("script[src*='mathjax']").count() > 0
        self.mathjax_ran = self.page.evaluate(MATHJAX_TYPESET_JS)

    @cached_property
    def axe(self) -> list[dict]:
        """axe-core's violations on the page (on a phone, outside the article, which is the same
        as on a desktop, where it is checked)."""
        return Axe().run(self.page, context=AXE_CONTEXTS[self.screen], options=AXE_OPTIONS).response["violations"]

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url} ({response.status})")

    def remote_requests(self) -> list[str]:
        """The requested URLs that would leave this machine."""
        urls = [(url, urlsplit(url)) for url in self.requests]
        return [url for url, parts in urls if parts.scheme not in LOCAL_SCHEMES and parts.hostname not in LOCAL_HOSTS]

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def visit(chromium: Browser, book_url: str, toc_page: str, screen: str) -> Iterator[Visit]:
    """The toc page opened on the screen (once for all the tests of this module). A chapter's
    page is also saved whole, as typeset, to artifacts/ for a person to look at."""
    opened = Visit(chromium, f"{book_url}{toc_page}.html", screen)
    if CHAPTER_PAGE.fullmatch(toc_page):
        ARTIFACTS.mkdir(exist_ok=True)
        opened.page.screenshot(path=ARTIFACTS / f"{Path(toc_page).name}-{screen}.png", full_page=True)
    yield opened
    opened.close()


def test_math_is_typeset(visit: Visit) -> None:
    """No TeX or dollar sign is left as text outside code, and MathJax typeset the page's math."""
    if visit.loads_mathjax:
        assert visit.mathjax_ran, "the page loads MathJax, but MathJax did not start"
    leftovers = sorted(set(RAW_TEX.findall(visit.page.evaluate(PROSE_TEXT_JS))))
    assert not leftovers, f"TeX left as text on the page: {leftovers}"
    if visit.page.locator(".math").count():
        assert visit.page.locator("mjx-container").count(), "the page has math but MathJax typeset none of it"


def test_images_load_have_alt_text_and_open_full_size(visit: Visit) -> None:
    """Every image loaded, says in its alt text what it shows (not its file name), and is a link
    to itself, so that a tap opens it at full size."""
    faults = []
    for image in visit.page.evaluate(IMAGES_JS):
        if not image["loaded"]:
            faults.append(f"{image['src']}: did not load")
        if not (image["alt"] or "").strip() or FILE_NAME.match(image["alt"].strip()):
            faults.append(f"{image['src']}: alt text {image['alt']!r}")
        if not (image["link"] or "").endswith(Path(image["src"]).name):
            faults.append(f"{image['src']}: no link to the image (link: {image['link']})")
    assert not faults, "\n".join(faults)


def test_nothing_is_wider_than_the_screen(visit: Visit) -> None:
    """The page does not scroll sideways; a wide equation or table scrolls in its own box, with a
    shadow at the edge that has more."""
    overflow = visit.page.evaluate(OVERFLOW_JS)
    assert overflow["page"] <= 0 and not overflow["wide"], (
        f"the page is {overflow['page']} px wider than the screen; these pass its edge:\n" + "\n".join(overflow["wide"])
    )
    assert not overflow["uncued"], "boxes that scroll with no cue:\n" + "\n".join(overflow["uncued"])


def test_no_serious_accessibility_fault(visit: Visit) -> None:
    """axe-core finds no serious or critical violation."""
    faults = [
        f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"    {node['html'][:160]}" for node in v["nodes"][:5])
        for v in visit.axe
        if v["impact"] in AXE_FAILING_IMPACTS
    ]
    assert not faults, "\n".join(faults)


def test_no_error_and_no_failed_request(visit: Visit) -> None:
    """The page logs no console error, raises no uncaught exception and gets no failed response
    (a missing favicon included)."""
    errors = visit.console_errors + visit.page_errors + visit.failed
    assert not errors, "\n".join(errors)


def test_no_request_leaves_the_machine(visit: Visit) -> None:
    """The page requests nothing but the local server (and data:, blob:, about: URLs)."""
    remote = visit.remote_requests()
    assert not remote, "requests to other hosts:\n" + "\n".join(remote)


def shown(page: Page, selector: str) -> bool:
    """Whether the first element that matches ``selector`` takes up space on the screen."""
    return page.evaluate(f"() => ({SHOWN_JS})(document.querySelector({selector!r}))")


def toggle(page: Page, button: str) -> None:
    """Click the visible button of the class, the way a reader does."""
    buttons = [b for b in page.locator(button).all() if b.is_visible()]
    assert buttons, f"no visible {button} button"
    buttons[0].click()
    page.wait_for_timeout(300)


def check_modal(page: Page, button: str, dialog: str) -> None:
    """The button opens its panel as a dialog with the panel's links, and Escape closes it."""
    toggle(page, button)
    assert page.evaluate(f"() => document.querySelector({dialog!r}).open"), f"{button} did not open {dialog}"
    assert page.locator(f"{dialog} a").count(), f"{dialog} opened empty"
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    assert not page.evaluate(f"() => document.querySelector({dialog!r}).open"), f"Escape did not close {dialog}"


def test_sidebar_buttons_open_and_close_their_panels(visit: Visit, screen: str) -> None:
    """On a phone, the chapter menu and the page-contents button open their panels and Escape
    closes them; on a desktop, the menu button hides the chapter list and shows it again."""
    page = visit.page
    if screen == "phone":
        check_modal(page, ".primary-toggle", "#pst-primary-sidebar-modal")
        if page.locator("#pst-page-toc-nav a").count():
            check_modal(page, ".secondary-toggle", "#pst-secondary-sidebar-modal")
        return
    assert shown(page, "#pst-primary-sidebar"), "the chapter list is not shown on a desktop"
    toggle(page, ".primary-toggle")
    assert not shown(page, "#pst-primary-sidebar"), "the menu button did not hide the chapter list"
    toggle(page, ".primary-toggle")
    assert shown(page, "#pst-primary-sidebar"), "the menu button did not show the chapter list again"
    if page.locator("#pst-page-toc-nav a").count():
        assert shown(page, "#pst-page-toc-nav"), "the page's contents are not shown on a desktop"
