"""Sphinx extension of the book: repairs to the theme stack, and the course's own look.

What it repairs (each a known upstream bug of the pinned themes; remove the repair when the
pin moves past the fix):

- The sidebar buttons. pydata-sphinx-theme 0.17 renders its own header with a second, hidden
  ``.primary-toggle`` and ``.secondary-toggle``; both themes bind the *first* of each with
  ``querySelector``, so the visible buttons of sphinx-book-theme did nothing at any width
  (pydata-sphinx-theme issue 2451; sphinx-book-theme issue 999). sphinx-book-theme empties
  the header's items but not ``navbar_persistent``, which pydata then fills with a search
  field; emptying it too leaves the header unrendered, and the book theme's buttons are the
  only ones. Can go once sphinx-book-theme's header no longer duplicates the toggles.
- Names that assistive technology reads (axe-core's summary-name and
  label-content-name-mismatch rules): the sidebar's expand arrows get a label; code-cell
  toggles drop a label that contradicts their visible text; the colour-mode icons are hidden
  from the accessibility tree, so that the button's name is its label; the search field is
  named by its visible text (templates ``theme-switcher.html``, ``search-button-field.html``);
  the bibliography's entries are the items of its list (aria-required-children).

What it adds: ``course.css`` (long inline code wraps, wide math and tables scroll inside
their own box with a shadow that shows there is more, the index's columns stack on a phone),
and the favicon.
"""

from pathlib import Path

from bs4 import BeautifulSoup

THEME = Path(__file__).resolve().parents[2] / "book" / "_theme"
# The figures are drawn on white. Without a default, a first visit logs "Got invalid theme mode".
DEFAULT_MODE = "light"
_HEADER_ITEMS = ("navbar_start", "navbar_center", "navbar_end", "navbar_persistent")
_CELL_TOGGLE = '<summary aria-label="Toggle hidden content">'
# docutils' bibliography is a role="list" whose entries are role="doc-biblioentry", which ARIA
# 1.2 no longer allows in a list (axe-core's aria-required-children).
_BIBLIOGRAPHY_ENTRY = 'role="doc-biblioentry"'


def configure(app, config) -> None:
    """No header items (so no duplicate toggles), a light default, the course's templates, style and
    favicon."""
    config.html_theme_options.update({item: [] for item in _HEADER_ITEMS})
    config.html_context.setdefault("default_mode", DEFAULT_MODE)
    config.templates_path.insert(0, str(THEME / "templates"))
    config.html_static_path.append(str(THEME / "assets"))
    config.html_favicon = str(THEME / "assets" / "favicon.svg")


def label_expand_arrows(toctree):
    """Name each arrow that expands a sidebar entry after the entry it expands (in the theme's
    parsed tree, or in HTML text)."""
    tree = toctree if hasattr(toctree, "select") else BeautifulSoup(toctree, "html.parser")
    for summary in tree.select("li > details > summary"):
        entry = summary.parent.find_previous_sibling("a")
        if entry is not None and not summary.get("aria-label"):
            summary["aria-label"] = f"Sections of {entry.get_text(strip=True)}"
    return tree if tree is toctree else str(tree)


def accessible_names(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Label the sidebar's arrows, let the code-cell toggles be named by their text, and make the
    bibliography's entries items of its list."""
    make_toctree = context.get("generate_toctree_html")
    if make_toctree is not None:

        def labelled_toctree(*args, **kwargs):
            return label_expand_arrows(make_toctree(*args, **kwargs))

        context["generate_toctree_html"] = labelled_toctree
    if "body" in context:
        body = context["body"].replace(_CELL_TOGGLE, "<summary>")
        context["body"] = body.replace(_BIBLIOGRAPHY_ENTRY, 'role="listitem"')


def setup(app) -> dict:
    """Register the handlers (after the themes', whose settings and context they adjust)."""
    app.connect("config-inited", configure, priority=900)
    app.add_css_file("course.css")
    app.connect("html-page-context", accessible_names, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
