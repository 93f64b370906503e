"""The report's figures, in the course's style, as SVG data URIs for an ``<img>`` tag."""

import base64
import io
from collections import Counter

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from autograder.instructors.report.summary import Rate
from autograder.runtime.figures import ACCENT, EDGE, styled

BINS = [i / 10 for i in range(11)]
BAR_HEIGHT_INCHES = 0.38


def data_uri(figure: Figure) -> str:
    """The figure as an ``image/svg+xml`` data URI (no file, no network)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _bar_figure(count: int) -> tuple[Figure, object]:
    figure = Figure(figsize=(7.5, 0.9 + BAR_HEIGHT_INCHES * max(count, 1)))
    return figure, figure.subplots()


@styled
def score_distribution(fractions: list[float], assignment: str) -> str:
    """Histogram of the students' totals, in tenths of the maximum."""
    figure = Figure(figsize=(7.5, 2.8))
    ax = figure.subplots()
    ax.hist([min(f, 1.0) for f in fractions], bins=BINS, color=ACCENT, edgecolor=EDGE)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(
        xlim=(0, 1),
        xlabel="score (share of the maximum)",
        ylabel="students",
        title=f"{assignment}: {len(fractions)} students",
    )
    return data_uri(figure)


@styled
def pass_rates(rates: list[Rate], assignment: str) -> str:
    """Horizontal bars: the share of graded submissions that passed each exercise."""
    figure, ax = _bar_figure(len(rates))
    names = [rate.name for rate in rates][::-1]
    fractions = [rate.fraction for rate in rates][::-1]
    bars = ax.barh(names, fractions, color=ACCENT, edgecolor=EDGE)
    ax.bar_label(bars, labels=[f"{r.passed}/{r.total}" for r in rates][::-1], padding=3)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set(xlim=(0, 1.12), xlabel="submissions that pass every check of the exercise", title=assignment)
    ax.grid(axis="y", visible=False)
    return data_uri(figure)


@styled
def mistake_counts(counts: Counter, exercise: str) -> str:
    """Horizontal bars: how many students made each known mistake of one exercise."""
    ranked = counts.most_common()[::-1]
    figure, ax = _bar_figure(len(ranked))
    bars = ax.barh([summary for summary, _ in ranked], [n for _, n in ranked], color=ACCENT, edgecolor=EDGE)
    ax.bar_label(bars, padding=3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlim=(0, max(counts.values()) * 1.15), xlabel="students", title=exercise)
    ax.grid(axis="y", visible=False)
    return data_uri(figure)
