"""Sphinx extension of the book: the exercise kits, the repository link and the launch buttons.

- Every exercise page (``exercises/chNN_topic/chNN_topic``) starts with a box that offers
  the exercise's kit (its notebook, the students' wheel, a three-line README), built with
  the book into ``kits/`` (and the wheel into ``wheels/``) of the HTML output.
- The repository button and the launch buttons follow ``repository.url`` of
  ``_config.yml``: with a URL (the student edition's repository), the header links to it
  and the exercise pages, only they, carry the launch buttons configured under
  ``launch_buttons``; without one, the book shows neither (no dead button).
- Every image links to its own file, so that a tap or a click opens it at full size: on a
  phone a figure is scaled down to the width of the screen.
"""

import html
import posixpath
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.util.osutil import relative_uri

from autograder.instructors.edition import write_kits

_EXERCISE_PAGE = re.compile(r"^exercises/(?P<key>ch\d\d_\w+)/(?P=key)$")
_LAUNCH_TOOLTIP = "Launch interactive content"
_REPOSITORY_BUTTONS = ("use_repository_button", "use_issues_button", "use_edit_page_button")


def _downloads(app) -> Path:
    return Path(app.outdir).parent / "downloads"


def repository_buttons(app, config) -> None:
    """Show the repository button when ``repository.url`` names one; otherwise no repository
    button and no launch button at all."""
    options = config.html_theme_options
    if options.get("repository_url", "").strip():
        options["use_repository_button"] = True
    else:
        options.update(dict.fromkeys(_REPOSITORY_BUTTONS, False), launch_buttons={})


def build_kits(app) -> None:
    """Build the students' wheel and one kit per exercise, to copy into the HTML output."""
    if app.builder.format == "html":
        write_kits(_downloads(app))


def exercise_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Offer the kit on an exercise page; keep the launch buttons to exercise pages."""
    match = _EXERCISE_PAGE.match(pagename)
    if match is None:
        context["header_buttons"] = [
            b for b in context.get("header_buttons", []) if b.get("tooltip") != _LAUNCH_TOOLTIP
        ]
        return
    kit = f"kits/{match['key']}.zip"
    if not (_downloads(app) / kit).exists():
        return
    href = html.escape(context["pathto"](kit, 1))
    box = (
        '<div class="admonition tip exercise-kit"><p class="admonition-title">Work on it anywhere</p>'
        f'<p><a class="reference download" href="{href}" download>Download this exercise\'s kit</a>: '
        "the notebook, the course's package (a wheel) and a three-line README. Install the wheel with "
        "<code>pip</code>, open the notebook in JupyterLab, and the checks run on your machine.</p></div>"
    )
    title, heading, rest = context["body"].partition("</h1>")  # under the page's title
    context["body"] = f"{title}{heading}{box}{rest}" if heading else box + title


def _source(node: nodes.image, builder) -> str | None:
    """The path under which Sphinx knows the file of an image (the candidate it will copy)."""
    candidates = node.get("candidates", {})
    if "*" in candidates:
        return node["uri"]
    return next((candidates[kind] for kind in builder.supported_image_types if kind in candidates), None)


def link_images(app, doctree, docname: str) -> None:
    """Wrap each image in a link to the file Sphinx copies into ``_images/``.

    This is what Sphinx itself does for images given a size (``html_scaled_image_link``);
    code cells' figures have none, and the theme scales them down to the page instead.
    """
    if app.builder.format != "html":
        return
    folder = relative_uri(app.builder.get_target_uri(docname), app.builder.imagedir)
    for node in list(doctree.findall(nodes.image)):
        source = _source(node, app.builder)
        if isinstance(node.parent, nodes.reference) or source not in app.env.images:
            continue
        link = nodes.reference("", "", internal=True, refuri=posixpath.join(folder, app.env.images[source][1]))
        node.replace_self(link)
        link.append(node)


def copy_kits(app, exception) -> None:
    """Put the kits and the wheel into the HTML output."""
    if exception is None and app.builder.format == "html" and _downloads(app).exists():
        for folder in ("kits", "wheels"):
            shutil.copytree(_downloads(app) / folder, Path(app.outdir) / folder, dirs_exist_ok=True)


def setup(app) -> dict:
    """Register the extension's handlers (after the theme's, which they adjust)."""
    app.connect("config-inited", repository_buttons, priority=900)
    app.connect("builder-inited", build_kits)
    app.connect("html-page-context", exercise_page, priority=900)
    app.connect("doctree-resolved", link_images)
    app.connect("build-finished", copy_kits)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
