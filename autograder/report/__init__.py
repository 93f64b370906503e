"""What instructors read after grading: students' feedback pages and the class report.

- :mod:`autograder.report.feedback`: feedback pages that typeset their math offline;
- :mod:`autograder.report.collect`: what the gradebook and the autograded notebooks say;
- :mod:`autograder.report.plots`: the report's figures, as SVG;
- :mod:`autograder.report.page`: the report as one self-contained HTML page.
"""
