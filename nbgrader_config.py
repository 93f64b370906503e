"""nbgrader settings of the course: solutions/ is the source, exercises/ the release.

Run nbgrader with TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR=1 (the Makefile and
`cnn-course` set it) so that an error in this file stops nbgrader instead of being
logged and ignored.
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "cnn-building-blocks"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

# Seconds one cell may run before its kernel is interrupted (infinite loops end here).
c.Execute.timeout = 60

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback shows grades and outputs, never the hidden test code.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# `nbgrader zip_collect`: LMS exports (Canvas style) name each file
# "<student>_<user id>_<submission id>_<original name>", with "_LATE" after <student>
# for late work. The pattern is matched against the whole path of each extracted file.
# Adapt it to your LMS; file_id must be the notebook's name.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.zipcollect.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[^/_]+)_(?:LATE_)?\d+_\d+_(?P<file_id>[\w.-]+?)(?:-\d+)?\.ipynb$"
)
