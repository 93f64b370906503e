"""nbgrader settings of the course: solutions/ is the source, exercises/ the release.

Run nbgrader with TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR=1 (the Makefile and
`cnn-course` set it) so that an error in this file stops nbgrader instead of being
logged and ignored.
"""

import os
from importlib.util import find_spec
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "cnn-building-blocks"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# Seconds one cell may run before its kernel is interrupted (infinite loops end here).
c.Execute.timeout = 60

# Kernels talk to nbgrader over Unix sockets where the system has them, not TCP. A TCP port
# picked for a kernel can be taken by another process before the kernel binds it; the kernel
# then dies and nbgrader fails the submission ("Kernel died before replying to kernel_info").
# The sockets are named after this process, so concurrent nbgrader runs never meet.
if os.name == "posix":
    _SOCKETS = Path(jupyter_runtime_dir())
    _SOCKETS.mkdir(mode=0o700, parents=True, exist_ok=True)
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = str(_SOCKETS / f"nbgrader-{os.getpid()}")

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback shows grades and outputs, never the hidden test code, and typesets its math
# offline: LocalMathJax copies MathJax 3 to feedback/mathjax/ (named by import path, so
# that loading this file does not import the autograder package and PyTorch with it).
c.GenerateFeedback.preprocessors = [
    GetGrades,
    ClearHiddenTests,
    CSSHTMLHeaderPreprocessor,
    "autograder.instructors.report.feedback.LocalMathJax",
]
# The course's feedback template: nbgrader's, with MathJax loaded from feedback/mathjax/
# instead of a CDN. It is set on an exporter class of its own, as formgrader reads this
# file too and renders its grading view with HTMLExporter. The course's folder comes
# first; nbgrader's templates (which it extends) must then be listed too.
_NBGRADER_TEMPLATES = Path(find_spec("nbgrader").origin).parent / "server_extensions" / "formgrader" / "templates"
_COURSE_TEMPLATES = Path(find_spec("autograder").origin).parent / "instructors" / "report" / "templates"
c.GenerateFeedback.exporter_class = "autograder.instructors.report.feedback.FeedbackExporter"
c.FeedbackExporter.template_name = "feedback_offline_math"
c.FeedbackExporter.extra_template_basedirs = [str(_COURSE_TEMPLATES), str(_NBGRADER_TEMPLATES)]

# `nbgrader zip_collect`: LMS exports (Canvas style) name each file
# "<student>_<user id>_<submission id>_<original name>", with "_LATE" after <student>
# for late work. The pattern is matched against the whole path of each extracted file.
# Adapt it to your LMS; file_id must be the notebook's name.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.zipcollect.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[^/_]+)_(?:LATE_)?\d+_\d+_(?P<file_id>[\w.-]+?)(?:-\d+)?\.ipynb$"
)
