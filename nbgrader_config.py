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
