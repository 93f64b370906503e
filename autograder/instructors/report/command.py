"""``cnn-course report``: the class report, one HTML page, from what grading left behind."""

import argparse
import sys
from pathlib import Path

from autograder.instructors.course import CourseFolder

DEFAULT_OUTPUT = Path("reports") / "class-report.html"


def report(args: argparse.Namespace) -> int:
    """Write the class report: score distributions, pass rates, failed checks, limits hit, known mistakes."""
    from autograder.instructors.report.collect import collect
    from autograder.instructors.report.page import render

    try:
        results = collect(CourseFolder(args.root), args.assignments)
    except ValueError as error:
        print(f"cnn-course report: {error}", file=sys.stderr)
        return 2
    output = args.root / args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(results), encoding="utf-8")
    print(f"Wrote {output} ({len(results.submissions)} submissions of {', '.join(results.assignments)}).")
    return 0


def add_command(commands) -> None:
    """Add ``report`` to the subcommands of ``cnn-course``."""
    command = commands.add_parser("report", help=report.__doc__, description=report.__doc__)
    command.add_argument("assignments", nargs="*", help="assignments to report on (default: all in the gradebook)")
    command.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where to write the page, from the course root (default: {DEFAULT_OUTPUT})",
    )
    command.set_defaults(run=report)
