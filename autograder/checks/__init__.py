"""Checks of every exercise, one module per chapter.

Each graded exercise ``name`` has two entry points, called from the notebook's test cells:

- ``check_name(fn)``: the visible checks, fast, on the chapter's worked examples;
- ``grade_name(fn)``: the hidden checks, on random inputs drawn from the grading seed.

Both raise :class:`autograder.compare.CheckFailure` with a plain-words message on failure.
"""
