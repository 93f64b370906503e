"""Diagnosis of failed checks: which known mistake a wrong answer makes, and how sure we are."""

import re

import pytest
import torch
from answers import (
    CODE_EXERCISES,
    checks,
    failure,
    named,
    solved_namespace,
    with_mistake,
)

from autograder.chapters import all_mistakes, mistakes_for
from autograder.instructors import mistakes_page
from autograder.runtime import diagnosis, sections
from autograder.runtime.compare import CheckFailure

MISTAKES = all_mistakes()


def hidden_failure(mistake, seed: int, monkeypatch) -> str | None:
    """The hidden check's message for ``mistake`` under a fixed grading seed."""
    monkeypatch.setenv("AUTOGRADER_SEED", str(seed))
    return failure(mistake.exercise, with_mistake(mistake), kinds=(1,))


def test_visible_check_hedges():
    """On the fixed inputs of a visible check, a match is only 'looks like', with its evidence."""
    message = failure("corr2d", with_mistake(named("corr2d_flips_kernel")), kinds=(0,))
    assert "This looks like a known mistake: flips the kernel (computes a true convolution)." in message
    assert re.search(r"It gives the same results on these \d+ inputs\.", message)
    assert diagnosis.PLAIN + ":" not in message


@pytest.mark.parametrize("name", ["corr2d_flips_kernel", "corr2d_general_padding_one_side", "corr2d_multi_in_mean"])
def test_hidden_check_states_a_match_on_random_inputs_plainly(name, monkeypatch):
    """Matched on every random input of a hidden check, the mistake is named without hedging,
    after the diff, with the number of inputs."""
    mistake = named(name)
    message = hidden_failure(mistake, 7, monkeypatch)
    diff, _, explanation = message.partition(f"\n\n{diagnosis.PLAIN}: {mistake.summary}.")
    assert "Hidden check" in diff and "grading seed 7" in diff
    assert explanation.startswith(" (Your code gives the same results as this mistake on all ")
    assert f"Hint: {mistake.hint}" in explanation


@pytest.mark.parametrize(
    "exercise, source",
    [
        (
            "corr2d",
            "def corr2d(X, K):\n"
            "    return torch.zeros(X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1) + X.mean()\n",
        ),
        ("conv_output_size", "def conv_output_size(n, k, padding=0, stride=1, dilation=1):\n    return n + 1\n"),
        ("corr2d_multi_in", "def corr2d_multi_in(X, K):\n    return corr2d(X[-1], K[0]) * 2\n"),
    ],
)
def test_unknown_mistake_shows_the_diff_alone(exercise, source, monkeypatch):
    """A wrong answer outside the set gets the plain diff, and no hint, in both checks."""
    namespace = solved_namespace(CODE_EXERCISES[exercise])
    exec(source, namespace)
    monkeypatch.setenv("AUTOGRADER_SEED", "3")
    for kind in (0, 1):
        message = failure(exercise, namespace, kinds=(kind,))
        assert message is not None
        assert "Hint:" not in message and not diagnosis.recognised_mistakes(message, all_mistakes())


def test_mistakes_alike_are_said_once_with_each_hint():
    """Two mistakes that behave alike make one sentence that says so, then each one's hint; the
    report's parser reads both back."""
    first, second = named("corr2d_flips_kernel"), named("corr2d_off_by_one")
    text = diagnosis.explanation([diagnosis.Evidence(first, 2), diagnosis.Evidence(second, 2)])
    assert text.startswith(diagnosis.ONE_OF.format(2)) and diagnosis.LOOKS_LIKE not in text
    assert text.count("Hint: ") == 2 and f"Hint: {first.hint}" in text and f"Hint: {second.hint}" in text
    assert text.count("Read more: ") == 1
    assert diagnosis.recognised_mistakes(text, all_mistakes()) == [first, second]


def test_a_mistake_that_differs_on_other_inputs_is_not_claimed(monkeypatch):
    """A mistake that fails the same way on one input but differs elsewhere is not named."""
    only_first = named("corr2d_off_by_one")
    namespace = solved_namespace("ch02_cross_correlation")
    # Off by one on the worked example only: fails exactly like corr2d_off_by_one there.
    exec(
        "_right = corr2d\n"
        "def corr2d(X, K):\n"
        "    Y = _right(X, K)\n"
        "    return Y[:-1, :-1] if X.shape == (3, 3) else Y * 2\n",
        namespace,
    )
    message = failure("corr2d", namespace, kinds=(0,))
    assert "Expected shape (2, 2), got shape (1, 1)." in message
    assert only_first not in diagnosis.recognised_mistakes(message, all_mistakes())


def test_diagnosis_leaves_the_random_state_alone(monkeypatch):
    """Running the known mistakes again draws random numbers, but the notebook's random state
    afterwards is the same as if no diagnosis had run."""
    namespace = with_mistake(named("Conv2D_bias_forgotten"))

    def state_after_failing_check() -> torch.Tensor:
        torch.manual_seed(0)
        with pytest.raises(CheckFailure):
            checks("Conv2D")[0](namespace["Conv2D"])
        return torch.rand(3)

    diagnosed = state_after_failing_check()
    monkeypatch.setattr(diagnosis, "mistakes_in", lambda module, exercise: [])
    assert torch.equal(diagnosed, state_after_failing_check())


def test_diagnosis_stops_at_its_time_budget(monkeypatch):
    """Past its budget, the diagnosis of a hidden check gives up and the message is the diff alone
    (a visible check's reads the recording: no budget to run out)."""
    monkeypatch.setattr(diagnosis, "BUDGET_SECONDS", 0.0)
    message = failure("corr2d", with_mistake(named("corr2d_flips_kernel")), kinds=(1,))
    assert "is not right" in message and "Hint:" not in message


def test_recognised_mistakes_reads_the_messages_back():
    """The report's parser finds exactly the mistakes a message names."""
    first, second = named("corr2d_flips_kernel"), named("corr2d_off_by_one")
    text = "\n\n".join(
        [
            "corr2d(X, K) is not right.",
            diagnosis.Evidence(first, 3, random_inputs=True).message(),
            diagnosis.Evidence(second, 1).message(),
        ]
    )
    assert diagnosis.recognised_mistakes(text, all_mistakes()) == [first, second]
    assert diagnosis.recognised_mistakes(text, mistakes_for("conv2d_flipped")) == []
    assert diagnosis.recognised_mistakes("Expected shape (2, 2), got shape (1, 1).", all_mistakes()) == []


def test_summaries_are_unique_per_exercise_and_read_back():
    """Summaries identify mistakes: unique within an exercise, no final period."""
    seen = set()
    for mistake in MISTAKES:
        assert (mistake.exercise, mistake.summary) not in seen, mistake.name
        seen.add((mistake.exercise, mistake.summary))
        assert not mistake.summary.endswith("."), mistake.name
        assert diagnosis.recognised_mistakes(diagnosis.Evidence(mistake, 2).message(), [mistake]) == [mistake]


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if m.section], ids=lambda m: m.name)
def test_every_section_a_hint_links_to_exists(mistake):
    """A mistake's section names a heading of the book, and the message says where to read."""
    section = sections.find(mistake.section)
    assert section is not None, f"{mistake.name}: no heading with anchor {mistake.section!r} in the book"
    assert f"Read more: {section.describe()}." in diagnosis.Evidence(mistake, 1).message()


@pytest.mark.parametrize(
    "title, anchor",
    [
        ("Padding", "padding"),
        ('Odd kernels and "same" padding', "odd-kernels-and-same-padding"),
        ("The $1 \\times 1$ convolution", "the--convolution"),
        ("`nn.Conv2d`", "nnconv2d"),
        ("Stride, dilation and the receptive field", "stride-dilation-and-the-receptive-field"),
    ],
)
def test_anchors_follow_myst(title, anchor):
    """Anchors are computed as MyST computes heading slugs (text and code only)."""
    assert sections.slug(title) == anchor


def test_repeated_headings_get_numbered_anchors():
    """A heading that repeats gets -1, -2, ... as in MyST."""
    found = sections.page_sections("ch05_channels")
    assert "summary" in found and "exercises" in found
    assert found["locality"].title == "Locality"
    assert found["locality"].describe() == 'chapter 5 ("Channels"), section "Locality"'


def test_mistakes_page_is_up_to_date():
    """book/mistakes.md is exactly what the mistakes generate (regenerate with `make exercises`)."""
    assert mistakes_page.PAGE.read_text(encoding="utf-8") == mistakes_page.render(), (
        "book/mistakes.md is out of date: run `make exercises`"
    )


def test_mistakes_page_lists_every_mistake_under_its_chapter():
    """Every mistake appears once on the page, with its hint, under its exercise's heading."""
    page = mistakes_page.render()
    for mistake in MISTAKES:
        start = page.index(f"### `{mistake.exercise}`\n")
        section = page[start : page.find("\n#", start + 1)]
        entry = f"**{mistakes_page.as_markdown(mistake.summary[:1].upper() + mistake.summary[1:])}.** "
        assert entry + mistakes_page.as_markdown(mistake.hint) in section, mistake.name


def test_students_page_shows_a_real_message():
    """The failed check quoted on the students' page is what the checks print today."""
    page = (sections.BOOK / "students.md").read_text(encoding="utf-8")
    quoted = page.split("```text\nCheckFailure: ", 1)[1].split("\n```", 1)[0]
    assert quoted == failure("corr2d", with_mistake(named("corr2d_off_by_one")), kinds=(0,))


def test_an_answer_built_on_a_failing_exercise_is_sent_there_first():
    """A correct conv2d_flipped on a corr2d that flips the kernel fails like the mistake "does not
    flip" (recorded with the solution's corr2d); the message sends the student to corr2d instead."""
    namespace = with_mistake(named("corr2d_flips_kernel"))
    message = failure("conv2d_flipped", namespace, kinds=(0,))
    assert "Your conv2d_flipped calls your corr2d, which fails its own visible check: fix corr2d first" in message
    assert "Hint:" not in message


def _both_sides_of_the_visible_check() -> tuple[str, list, set[str]]:
    """An exercise with known mistakes that fail its visible check and others that pass it (by
    the recording): ``(exercise, mistakes that pass, names of those that fail)``."""
    for exercise in CODE_EXERCISES:
        visible_check, _ = checks(exercise)
        if not hasattr(visible_check, "recorded"):
            continue
        fail_visible = {m.name for m in visible_check.recorded.mistakes(visible_check.__name__)}
        passes_visible = [m for m in mistakes_for(exercise) if m.name not in fail_visible]
        if passes_visible and fail_visible:
            return exercise, passes_visible, fail_visible
    pytest.fail("no exercise has known mistakes on both sides of its visible check")


def test_a_hidden_diagnosis_tries_only_the_mistakes_alike_on_the_visible_check(monkeypatch):
    """An answer that passes the visible check is compared, on a hidden check, only with the known
    mistakes that pass it too (by the recording), and the right one is still named."""
    _, passes_visible, _ = _both_sides_of_the_visible_check()
    tried = []
    evidence = diagnosis._Diagnosis.evidence
    monkeypatch.setattr(
        diagnosis._Diagnosis, "evidence", lambda self, m, r: tried.append(m.name) or evidence(self, m, r)
    )
    mistake = passes_visible[0]
    message = hidden_failure(mistake, 7, monkeypatch)
    assert f"Hint: {mistake.hint}" in message
    assert set(tried) <= {m.name for m in passes_visible}


def test_a_hidden_diagnosis_of_an_answer_on_a_failing_exercise_tries_every_mistake(monkeypatch):
    """When the answer calls another exercise of the student's that fails (here a wrong pad2d),
    the visible check's recording says nothing about it: every mistake is tried, pasted into the
    student's notebook, and the right one is named."""
    monkeypatch.setenv("AUTOGRADER_SEED", "1412710163")
    namespace = with_mistake(named("pad2d_top_left_only"))
    exec(named("corr2d_general_dilation_ignored").source, namespace)
    message = failure("corr2d_general", namespace, kinds=(1,))
    assert f"Hint: {named('corr2d_general_dilation_ignored').hint}" in message


@pytest.mark.parametrize("kind", [0, 1], ids=["visible", "hidden"])
def test_a_broken_diagnosis_leaves_a_trace_and_the_plain_message(kind, monkeypatch, capsys):
    """When the search for a known mistake itself fails, the student gets the check's own message
    and the cell's stderr says what broke (the instructor sees it in the graded notebook)."""

    def broken(*args, **kwargs):
        raise RuntimeError("no room left")

    monkeypatch.setattr(diagnosis._Diagnosis, "explain", broken)
    monkeypatch.setattr(diagnosis.RecordedDiagnoser, "explain", broken)
    monkeypatch.setenv("AUTOGRADER_SEED", "7")
    message = failure("corr2d", with_mistake(named("corr2d_flips_kernel")), kinds=(kind,))
    assert message is not None and "Hint:" not in message
    assert f"{diagnosis.SEARCH_FAILED}: RuntimeError: no room left" in capsys.readouterr().err
