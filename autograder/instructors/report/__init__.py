"""What instructors read after grading: students' feedback pages and the class report.

- :mod:`autograder.instructors.report.feedback`: feedback pages that typeset their math offline;
- :mod:`autograder.instructors.report.collect`: what the gradebook and the autograded notebooks say;
- :mod:`autograder.instructors.report.plots`: the report's figures, as SVG;
- :mod:`autograder.instructors.report.page`: the report as one self-contained HTML page.
"""
