"""The instructors' report as one HTML page: no script, no link, every figure inside it.

Everything that comes from submissions (student ids, check messages) is escaped: a
message is whatever a student's code made the check print.
"""

import statistics
from html import escape

from autograder.instructors.report import plots, summary
from autograder.instructors.report.collect import ClassResults

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; color: #222; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { text-align: left; padding: 0.25rem 0.8rem 0.25rem 0; border-bottom: 1px solid #eee; vertical-align: top; }
td.number, th.number { text-align: right; }
code { font-size: 0.9em; white-space: nowrap; } img { max-width: 100%; } .muted { color: #666; }
"""


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """An HTML table; cells are given as already escaped HTML."""

    def cells(tag: str, values: list[str]) -> str:
        return "".join(f"<{tag}{' class=number' if i in numeric else ''}>{v}</{tag}>" for i, v in enumerate(values))

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><thead><tr>{cells('th', headers)}</tr></thead><tbody>{body}</tbody></table>"


def _figure(uri: str, description: str) -> str:
    return f'<p><img src="{uri}" alt="{escape(description)}"></p>'


def _scores(results: ClassResults) -> str:
    rows, figures = [], []
    for assignment in results.assignments:
        fractions = summary.score_fractions(results, assignment)
        if fractions:
            figures.append(_figure(plots.score_distribution(fractions, assignment), f"score histogram of {assignment}"))
            shares = (statistics.mean(fractions), statistics.median(fractions), min(fractions), max(fractions))
            rows.append(
                [f"<code>{escape(assignment)}</code>", str(len(fractions)), *(f"{100 * v:.0f}%" for v in shares)]
            )
    table = _table(["assignment", "students", "mean", "median", "lowest", "highest"], rows, {1, 2, 3, 4, 5})
    return "\n".join(["<h2>Score distribution</h2>", table, *figures])


def _exercises(results: ClassResults) -> str:
    parts = [
        "<h2>Pass rates per exercise</h2>",
        '<p class="muted">An exercise is passed when all its checks, visible and hidden, earn full points.</p>',
    ]
    for assignment in results.assignments:
        rates = summary.exercise_pass_rates(results, assignment)
        if rates:
            parts.append(f"<h3><code>{escape(assignment)}</code></h3>")
            parts.append(_figure(plots.pass_rates(rates, assignment), f"pass rates of the exercises of {assignment}"))
            rows = [
                [f"<code>{escape(r.name)}</code>", str(r.passed), str(r.total), f"{100 * r.fraction:.0f}%"]
                for r in rates
            ]
            parts.append(_table(["exercise", "passed", "graded", "pass rate"], rows, {1, 2, 3}))
    return "\n".join(parts)


def _failed_checks(results: ClassResults) -> str:
    failed = summary.most_failed_checks(results)
    rows = [
        [
            f"<code>{escape(f.assignment)}</code>",
            f"<code>{escape(f.grade_id)}</code>",
            f"{f.failures}/{f.total}",
            escape(f.message),
        ]
        for f in failed
    ]
    body = (
        _table(["assignment", "check", "failed", "what it says most often"], rows, {2})
        if rows
        else "<p>No check failed.</p>"
    )
    return f"<h2>Checks failed most often</h2>\n{body}"


def _limits(results: ClassResults) -> str:
    rows = [
        [f"<code>{escape(limit.assignment)}</code>", escape(limit.student), escape(limit.status), escape(limit.reason)]
        for limit in sorted(results.limits, key=lambda limit: (limit.assignment, limit.student))
    ]
    body = _table(["assignment", "student", "status", "reason"], rows) if rows else "<p>No submission hit a limit.</p>"
    note = (
        '<p class="muted">Timeouts, killed kernels, flagged tampering and submissions that could not be graded. '
        "Their other cells were graded as usual unless the status says otherwise.</p>"
    )
    return f"<h2>Submissions that hit a limit</h2>\n{note}\n{body}"


def _mistakes(results: ClassResults) -> str:
    parts = [
        "<h2>Known mistakes</h2>",
        '<p class="muted">Students whose failed checks name a known mistake of the exercise '
        "(<code>autograder.mistakes</code>), counted once per student.</p>",
    ]
    for assignment in results.assignments:
        for exercise, counts in summary.known_mistakes(results, assignment).items():
            parts.append(f"<h3><code>{escape(assignment)}</code>: <code>{escape(exercise)}</code></h3>")
            parts.append(_figure(plots.mistake_counts(counts, exercise), f"known mistakes made in {exercise}"))
    if len(parts) == 2:
        parts.append("<p>No failed check named a known mistake.</p>")
    return "\n".join(parts)


def render(results: ClassResults) -> str:
    """The whole report."""
    graded = sum(s.graded for s in results.submissions)
    title = "Class report: " + ", ".join(results.assignments)
    intro = (
        f"<p>{len(results.submissions)} submissions, {graded} of them graded. Pass rates, failed checks and "
        "known mistakes count these only; the others (not graded, flagged for tampering) are listed with "
        "the limits.</p>"
    )
    sections = [_scores(results), _exercises(results), _failed_checks(results), _limits(results), _mistakes(results)]
    return (
        f"<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n<title>{escape(title)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>{escape(title)}</h1>\n{intro}\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )
