"""Feedback pages that typeset their math without a network.

nbgrader's feedback template loads MathJax 2 from a CDN. The course's template
(``templates/feedback_offline_math``) loads MathJax 3 from ``mathjax/`` in the feedback
folder (``feedback/mathjax/``) instead, and :class:`LocalMathJax` puts it there: the copy
that the ``sphinx-mathjax-offline`` package (a dependency of the book) ships.
:class:`FeedbackExporter` renders the pages; ``nbgrader_config.py`` chooses both and the
template.
"""

import shutil
from importlib.metadata import distribution
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode, default

# The files the feedback pages need, relative to MathJax's root: the TeX-to-HTML bundle
# with every TeX extension, its fonts and the accessibility module its menu loads.
MATHJAX_FILES = ("tex-chtml-full.js", "output/chtml/fonts/woff-v2", "a11y")


def mathjax_source() -> Path:
    """The MathJax 3 folder installed by the sphinx-mathjax-offline package."""
    return Path(distribution("sphinx-mathjax-offline").locate_file("sphinx-mathjax-offline/static/mathjax"))


def copy_mathjax(source: Path, destination: Path) -> None:
    """Copy MATHJAX_FILES from ``source`` to ``destination``, skipping what is already there."""
    for name in MATHJAX_FILES:
        files = [source / name] if (source / name).is_file() else sorted((source / name).rglob("*.*"))
        for file in files:
            target = destination / file.relative_to(source)
            if not target.exists() or target.stat().st_size != file.stat().st_size:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, target)


class LocalMathJax(Preprocessor):
    """Make sure the course's copy of MathJax is where feedback pages look for it."""

    enabled = Bool(True, help="Copy MathJax (on by default once listed in preprocessors).").tag(config=True)
    folder = Unicode(
        help="Where MathJax is copied (default: mathjax/ in the course's feedback folder, wherever "
        "CourseDirectory.feedback_directory puts it); the feedback template loads ../../mathjax/ from "
        "<feedback folder>/<student>/<assignment>/.",
    ).tag(config=True)

    @default("folder")
    def _in_the_feedback_folder(self) -> str:
        from nbgrader.coursedir import CourseDirectory

        course = CourseDirectory(config=self.config)
        return str(Path(course.root) / course.feedback_directory / "mathjax")

    def preprocess(self, nb, resources):
        """Copy MathJax if needed; the notebook is returned unchanged."""
        copy_mathjax(mathjax_source(), Path(self.folder))
        return nb, resources


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter under a name of its own, so that the feedback template set
    for it in ``nbgrader_config.py`` leaves formgrader's HTMLExporter as it is."""
