"""Recognise a known mistake in a failed check, and say which one it is.

When a check of an exercise fails, a :class:`Diagnoser` runs the exercise's known wrong
answers (a chapter's ``mistakes`` module) through the same check, on the same inputs (same
grading seed, same random state), as if each had been pasted into the student's
notebook. Two kinds of evidence, from strongest to weakest:

- *same results*: every time the check calls the student's function, the wrong answer
  is called on a copy of the same arguments (the diagnosis observes the calls of
  :func:`autograder.runtime.calling.call`), and the two results agree (shape, dtype,
  device and values within tolerance). On two or more random inputs of a hidden check
  the message says so plainly; on the fixed inputs of a visible check it "looks like";
- *same failure*: the wrong answer fails the check with the very same message (for
  exercises whose results cannot be compared directly, such as a module's class, and for
  answers that train, where a second run on the same arguments would cost a second
  training). This is one failure on one input: it "looks like".

The hint is appended after the plain-words diff. When nothing matches, the message is the
diff alone. :func:`recognised_mistakes` reads the hints back out of a message (for the
instructors' report).
"""

import contextlib
import contextvars
import functools
import importlib
import io
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

import torch

from autograder.runtime.calling import observed
from autograder.runtime.cases import grading_seed, pinned_seed
from autograder.runtime.compare import CheckFailure, mismatch
from autograder.runtime.mistakes import Mistake, mistakes_in
from autograder.runtime.recorded import (
    Call,
    Recorded,
    RecordedMistake,
    device_of,
    fixed_random_state,
    restored,
    stored,
)

# Seconds the diagnosis of one failed check may take in all; the remaining mistakes are
# skipped after that, so that a slow exercise (training a network) stays within limits.
BUDGET_SECONDS = 20.0
_CHECK_NAME = re.compile(r"^(?P<kind>check|grade)_(?P<exercise>\w+)$")
_WHERE = "\nWhere, in your code:"
PLAIN = "Known mistake"
LOOKS_LIKE = "This looks like a known mistake"
ONE_OF = "This looks like one of {} known mistakes, which behave alike on this check:"
# A mistake named alone ("Known mistake: <summary>. (...)") or in a list of several ("- <summary>. Hint: ...").
_RECOGNISED = re.compile(
    rf"^(?:(?:{PLAIN}|{LOOKS_LIKE}): (?P<summary>.+?)\.(?: \(|$)|- (?P<listed>.+?)\. Hint: )", re.MULTILINE
)


@dataclass
class _Twin:
    """While active, every call of the answer ``student`` is also made on ``candidate``
    (a known mistake) and the two results are compared; the check then goes on with the
    reference's result, so that it visits all of its inputs."""

    student: object
    candidate: object
    reference: Callable
    agreed: int = 0
    disagreed: int = 0
    copies: dict = field(default_factory=dict)


_diagnosing: contextvars.ContextVar[bool] = contextvars.ContextVar("diagnosing", default=False)


class TwinCall:
    """One call of the answer under diagnosis: the candidate's outcome, to compare with the
    student's (see :func:`autograder.runtime.calling.call`)."""

    def __init__(self, twin: _Twin, args: tuple, kwargs: dict) -> None:
        self.twin, self.args, self.kwargs = twin, args, kwargs
        replay = _snapshot()
        try:
            self.outcome = ("result", twin.candidate(*_copies(args, twin.copies), **_copies(kwargs, twin.copies)))
        except Exception as error:
            self.outcome = ("error", type(error))
        replay()

    def settle(self, result=None, error: BaseException | None = None) -> bool:
        """Compare the student's result (or error) with the candidate's; return True when the
        check should go on with :attr:`expected`, the reference's result, instead."""
        kind, value = self.outcome
        same = (
            (kind == "error" and isinstance(error, value))
            if error is not None
            else (kind == "result" and _agree(result, value))
        )
        if same is None:
            return False
        if same:
            self.twin.agreed += 1
        else:
            self.twin.disagreed += 1
        self.expected = self.twin.reference(*self.args, **self.kwargs)
        return True


def _observer(twin: _Twin) -> Callable:
    """The observer of :func:`autograder.runtime.calling.call` that twins every call of the
    answer under diagnosis with the candidate mistake."""

    def observe(fn, args: tuple, kwargs: dict) -> TwinCall | None:
        return TwinCall(twin, args, kwargs) if fn is twin.student else None

    return observe


def _agree(got, expected) -> bool | None:
    """Whether two results agree; None when they cannot be compared (modules, objects)."""
    if isinstance(expected, torch.Tensor):
        return mismatch(got, expected) is None
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return False
        verdicts = [_agree(g, e) for g, e in zip(got, expected)]
        return None if None in verdicts else all(verdicts)
    if isinstance(expected, bool) or expected is None or isinstance(expected, (int, str)):
        return type(got) is type(expected) and got == expected
    if isinstance(expected, float):
        return isinstance(got, float) and abs(got - expected) <= 1e-9 + 1e-6 * abs(expected)
    return None


def _copies(values, memo: dict):
    """Copies of the tensors in ``values`` (same requires_grad), so that neither call sees
    what the other one does to its arguments. ``memo`` keeps one copy per original across
    calls, so that state the answer keeps in a tensor (a ``.grad``) builds up alike."""
    if isinstance(values, torch.Tensor):
        if id(values) not in memo:
            memo[id(values)] = (values, values.detach().clone().requires_grad_(values.requires_grad))
        return memo[id(values)][1]
    if isinstance(values, (tuple, list)):
        return type(values)(_copies(v, memo) for v in values)
    if isinstance(values, dict):
        return {k: _copies(v, memo) for k, v in values.items()}
    return values


def _snapshot() -> Callable[[], None]:
    """Capture the random state (Python's, torch's); return a function that restores it, so
    that the next run draws the same random numbers."""
    states = (
        random.getstate(),
        torch.get_rng_state(),
        torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    )

    def restore() -> None:
        random.setstate(states[0])
        torch.set_rng_state(states[1])
        if states[2] is not None:
            torch.cuda.set_rng_state_all(states[2])

    return restore


@dataclass
class Evidence:
    """Why a failed answer is taken for a known mistake."""

    mistake: Mistake | RecordedMistake
    inputs: int = 0
    random_inputs: bool = False
    same_failure: bool = False

    @property
    def plain(self) -> bool:
        """Strong enough to state without hedging: the same results on several random inputs."""
        return self.random_inputs and self.inputs >= 2 and not self.same_failure

    def message(self) -> str:
        """The lines appended to the check's message."""
        m = self.mistake
        if self.plain:
            lines = [
                f"{PLAIN}: {m.summary}. (Your code gives the same results as this mistake "
                f"on all {self.inputs} random inputs of the check.)"
            ]
        elif self.same_failure:
            lines = [f"{LOOKS_LIKE}: {m.summary}. (It fails this check in the same way.)"]
        else:
            where = "this input" if self.inputs == 1 else f"these {self.inputs} inputs"
            lines = [f"{LOOKS_LIKE}: {m.summary}. (It gives the same results on {where}.)"]
        lines.append(f"Hint: {m.hint}")
        if m.read_more:
            lines.append(f"Read more: {m.read_more}.")
        return "\n".join(lines)


def explained(failure: CheckFailure, found: list[Evidence]) -> CheckFailure:
    """``failure`` with the :func:`explanation` of the mistakes ``found`` appended."""
    links = {e.mistake.read_more: e.mistake.links for e in found if e.mistake.read_more and e.mistake.links}
    return failure.extended(explanation(found), links)


def explanation(found: list[Evidence]) -> str:
    """What a failed check's message gains from the mistakes ``found``: one mistake's evidence
    and hint, or, when several behave alike, one sentence saying so and each one's hint."""
    if len(found) == 1:
        return found[0].message()
    lines = [ONE_OF.format(len(found))]
    lines += [f"- {e.mistake.summary}. Hint: {e.mistake.hint}" for e in found]
    sections = list(dict.fromkeys(e.mistake.read_more for e in found if e.mistake.read_more))
    if sections:
        lines.append(f"Read more: {'; '.join(sections)}.")
    return "\n".join(lines)


def namespace_of(answer) -> dict:
    """The globals the student's answer was defined in (the notebook's), to paste a wrong
    answer into as the student would."""
    if isinstance(answer, type):
        methods = [getattr(v, "__func__", v) for v in vars(answer).values()]
        methods = [m for m in methods if hasattr(m, "__globals__")]
        return methods[0].__globals__ if methods else {}
    return getattr(answer, "__globals__", {})


def paste(mistake: Mistake, answer):
    """The wrong answer as if pasted into a copy of the student's notebook."""
    namespace = dict(namespace_of(answer))
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(mistake.source, f"<known mistake {mistake.name}>", "exec"), namespace)
    return namespace[mistake.exercise]


def without_traceback(message: str) -> str:
    """A check's failure message without the student's traceback lines (which name cells)."""
    return message.split(_WHERE)[0]


@dataclass
class _Diagnosis:
    """One failed check to explain."""

    check: Callable
    answer: object
    exercise: str
    hidden: bool
    seed: int | None
    message: str
    mistakes: list[Mistake]
    reference: Callable | None
    deadline: float = field(default_factory=lambda: time.monotonic() + BUDGET_SECONDS)

    def rerun(self, answer) -> str | None:
        """Run the check on ``answer`` from the original random state; return its failure, if any."""
        with _quiet(), pinned_seed(self.seed):
            try:
                self.check(answer)
            except CheckFailure as failure:
                return str(failure)
            except Exception as error:
                return f"{type(error).__name__}"
        return None

    def evidence(self, mistake: Mistake, replay: Callable[[], None]) -> Evidence | None:
        """How strongly the answer behaves like ``mistake`` in this check, or None.

        The mistake must fail the check with the same message; then the answer and the
        mistake are compared on every input the check uses: any difference rules it out.
        """
        try:
            candidate = paste(mistake, self.answer)
        except Exception:
            return None
        replay()
        failure = self.rerun(candidate)
        if failure is None or without_traceback(failure) != without_traceback(self.message):
            return None
        if time.monotonic() > self.deadline:
            return Evidence(mistake, 0, self.hidden, same_failure=True)
        if self.reference is None:
            return Evidence(mistake, 0, self.hidden, same_failure=True)
        twin = _Twin(self.answer, candidate, self.reference)
        replay()
        with observed(_observer(twin)):
            self.rerun(self.answer)
        if twin.disagreed:
            return None
        return Evidence(mistake, twin.agreed, self.hidden, same_failure=not twin.agreed)

    def explain(self, replay: Callable[[], None]) -> list[Evidence]:
        """The known mistakes the answer behaves like (several when they cannot be told apart
        on these inputs), within the time budget."""
        found = []
        for mistake in self.mistakes:
            if time.monotonic() > self.deadline:
                break
            if (evidence := self.evidence(mistake, replay)) is not None:
                found.append(evidence)
        return found


SEARCH_FAILED = "The search for a known mistake in this failure broke off"


def _failed_search(error: Exception) -> list:
    """Note on stderr (in the cell's output: the instructor and the tests see it) that the
    diagnosis itself failed; the student keeps the check's own message. No mistake is found."""
    print(f"({SEARCH_FAILED}: {type(error).__name__}: {error}. The message is the check's own.)", file=sys.stderr)
    return []


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Reruns print nothing (a student's debugging prints would repeat)."""
    token = _diagnosing.set(True)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        _diagnosing.reset(token)


class Diagnoser:
    """Decorates the checks of one chapter, ``check_<exercise>`` (visible) and
    ``grade_<exercise>`` (hidden): when one fails, its message gains the known mistake of
    ``mistakes`` (the chapter's module) the answer behaves like, if any. ``reference`` (the
    chapter's reference module) gives the results a check goes on with while the answer
    and a mistake are compared call by call."""

    def __init__(self, mistakes: ModuleType, reference: ModuleType) -> None:
        self.mistakes, self.reference = mistakes, reference

    def __call__(self, check: Callable) -> Callable:
        """Diagnose ``check`` by its results, call by call, else by its failure."""
        return self._decorate(check, twins=True)

    def by_failure(self, check: Callable) -> Callable:
        """Diagnose ``check`` by the same failure only: for answers that train or change their
        arguments, which a second run on the same arguments would repeat at full cost."""
        return self._decorate(check, twins=False)

    def _decorate(self, check: Callable, twins: bool) -> Callable:
        match = _CHECK_NAME.match(check.__name__)
        if match is None:
            raise ValueError(f"{check.__name__}: a diagnosed check is named check_<exercise> or grade_<exercise>")
        exercise, hidden = match["exercise"], match["kind"] == "grade"
        reference = getattr(self.reference, exercise, None) if twins else None

        @functools.wraps(check)
        def run(answer) -> None:
            if _diagnosing.get():
                return check(answer)
            seed = grading_seed() if hidden else None
            replay = _snapshot()
            try:
                with pinned_seed(seed):
                    return check(answer)
            except CheckFailure as failure:
                message = str(failure)
                if "NotImplementedError" in message:
                    raise
                restore_after = _snapshot()
                candidates = mistakes_in(self.mistakes, exercise)
                if hidden:
                    candidates = same_on_the_visible_check(check, answer, exercise, candidates)
                diagnosis = _Diagnosis(check, answer, exercise, hidden, seed, message, candidates, reference)
                try:
                    found = diagnosis.explain(replay)
                except Exception as error:
                    found = _failed_search(error)
                restore_after()
                if not found:
                    raise
                raise explained(failure, found) from None

        return run


# ---------------------------------------------------------------------------------------
# Visible checks: the known mistakes as recorded data


def twin_calls(check: Callable, answer, candidate, reference: Callable) -> list[Call]:
    """Run the visible ``check`` on ``answer`` (a correct one) with ``candidate`` (a known
    mistake) twinned on every call, and note each call: its arguments, the candidate's
    outcome and the reference's result (what :class:`RecordedDiagnoser` compares with)."""
    twin, calls = _Twin(answer, candidate, reference), []

    def observe(fn, args: tuple, kwargs: dict) -> TwinCall | None:
        if fn is not answer:
            return None
        pair, arguments = TwinCall(twin, args, kwargs), (stored(args), stored(kwargs))
        settle = pair.settle

        def noted(result=None, error=None) -> bool:
            if not settle(result, error):
                return False
            kind, value = pair.outcome
            outcome = ("result", stored(value)) if kind == "result" else ("error", value.__name__)
            calls.append(Call(*arguments, (outcome, stored(pair.expected))))
            return True

        pair.settle = noted
        return pair

    with _quiet(), fixed_random_state(), observed(observe), contextlib.suppress(CheckFailure):
        check(answer)
    return calls


class _ReplayCall:
    """One call of the student's answer next to a recorded call of a known mistake."""

    def __init__(self, tally: dict, call: Call) -> None:
        self.tally, self.call = tally, call

    def settle(self, result=None, error: BaseException | None = None) -> bool:
        """Compare the student's outcome with the mistake's; go on with the reference's result."""
        (kind, value), expected = self.call.outcome
        on = device_of((result,))
        if error is not None:
            agree = kind == "error" and value in {c.__name__ for c in type(error).__mro__}
        else:
            agree = kind == "result" and _agree(result, restored(value, on))
        if agree is None:
            return False
        self.tally["agreed" if agree else "disagreed"] += 1
        self.expected = restored(expected, on)
        return True


def _names_used(answer) -> set[str]:
    """The global names the code of ``answer`` (a function, or a class's methods) refers to."""
    codes = [answer.__code__] if hasattr(answer, "__code__") else []
    if isinstance(answer, type):  # its methods, static and class methods too (an autograd Function's)
        methods = (getattr(v, "__func__", v) for v in vars(answer).values())
        codes = [m.__code__ for m in methods if hasattr(m, "__code__")]
    names: set[str] = set()
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if hasattr(c, "co_names")]
    return names


def failing_dependencies(check: Callable, answer, names: Iterable[str] | None = None) -> list[str]:
    """The exercises of the same chapter that ``answer`` calls (the student's own, from the
    notebook: ``names``, by default those its code names) and that fail their own visible check:
    a known mistake recorded with the solution's versions of them would be named wrongly."""
    namespace, failing = namespace_of(answer), []
    for name in sorted(_names_used(answer) if names is None else names):
        other = check.__globals__.get(f"check_{name}")
        if other is None or other.__wrapped__ is check or name not in namespace:
            continue
        with _quiet(), fixed_random_state():
            try:
                other.__wrapped__(namespace[name])
            except Exception:
                failing.append(name)
    return failing


def dependency_note(exercise: str, failing: list[str]) -> str:
    """What a check adds to its message when answers ``exercise`` calls fail their own check."""
    names = " and ".join(failing)
    return (
        f"Your {exercise} calls your {names}, which {'fail their' if len(failing) > 1 else 'fails its'} own "
        f"visible check: fix {names} first, then run this check again."
    )


class RecordedDiagnoser:
    """Decorates a chapter's visible checks, ``check_<exercise>``, which run from a fixed random
    state (see :mod:`autograder.runtime.recorded`): when one fails, its message gains the
    known mistakes of the chapter's recording that failed it with the same message and gave
    the same results on every call (they cannot be told apart when several do)."""

    def __init__(self, recorded: Recorded) -> None:
        self.recorded = recorded

    def __call__(self, check: Callable) -> Callable:
        """Diagnose ``check`` by its results, call by call, else by its failure."""
        return self._decorate(check, twins=True)

    def by_failure(self, check: Callable) -> Callable:
        """Diagnose ``check`` by its failure only (the recording notes no calls)."""
        return self._decorate(check, twins=False)

    def _decorate(self, check: Callable, twins: bool) -> Callable:
        match = _CHECK_NAME.match(check.__name__)
        if match is None or match["kind"] != "check":
            raise ValueError(f"{check.__name__}: a visible check is named check_<exercise>")

        @functools.wraps(check)
        def run(answer) -> None:
            try:
                with fixed_random_state():
                    return check(answer)
            except CheckFailure as failure:
                message = str(failure)
                if _diagnosing.get() or "NotImplementedError" in message:
                    raise
                if failing := failing_dependencies(check, answer):
                    raise failure.extended(dependency_note(match["exercise"], failing)) from None
                try:
                    found = self.explain(check, answer, message)
                except Exception as error:
                    found = _failed_search(error)
                if not found:
                    raise
                raise explained(failure, found) from None

        run.twins, run.recorded = twins, self.recorded
        return run

    def explain(self, check: Callable, answer, message: str) -> list[Evidence]:
        """The recorded mistakes ``answer`` behaves like in ``check``, which failed with ``message``."""
        found = []
        for mistake in self.recorded.mistakes(check.__name__):
            if mistake.failure != without_traceback(message):
                continue
            tally = {"agreed": 0, "disagreed": 0}
            if mistake.calls:
                self._replay(check, answer, mistake, tally)
            if not tally["disagreed"]:
                found.append(Evidence(mistake, tally["agreed"], False, same_failure=not tally["agreed"]))
        return found

    @staticmethod
    def _replay(check: Callable, answer, mistake: RecordedMistake, tally: dict) -> None:
        """Run ``check`` on ``answer`` again, comparing each call with the mistake's."""

        unused = list(mistake.calls)

        def observe(fn, args: tuple, kwargs: dict) -> _ReplayCall | None:
            if fn is not answer:
                return None
            # The first recorded call with these arguments not yet replayed: a check may call an
            # answer twice alike (to see state build up), and the second outcome is the second's.
            call = next((c for c in unused if c.matches(args, kwargs)), None)
            if call is None:
                return None
            unused.remove(call)
            return _ReplayCall(tally, call)

        with _quiet(), fixed_random_state(), observed(observe), contextlib.suppress(CheckFailure):
            check(answer)


def same_on_the_visible_check(check: Callable, answer, exercise: str, mistakes: list[Mistake]) -> list[Mistake]:
    """The ``mistakes`` that do on the exercise's visible check what ``answer`` does (pass it, or
    fail it with the same message), by the chapter's recording: the others cannot be what the
    answer does, and a hidden check's diagnosis need not run them (most mistakes fail the
    visible check, most answers that reach grading pass it). All of them when none is alike, or
    when the answer calls another exercise of the student's that fails (the recording holds the
    mistakes' outcomes with the solution's)."""
    checks = importlib.import_module(f"{check.__module__.rpartition('.')[0]}.checks")
    visible = getattr(checks, f"check_{exercise}", None)
    if visible is None or not hasattr(visible, "recorded") or failing_dependencies(visible.__wrapped__, answer):
        return mistakes
    with _quiet(), fixed_random_state():
        try:
            visible.__wrapped__(answer)
            verdict = None
        except CheckFailure as failure:
            verdict = without_traceback(str(failure))
        except Exception:
            return mistakes
    recorded = {m.name: m.failure for m in visible.recorded.mistakes(visible.__name__)}
    # None alike: an answer that keeps state (a cache) may by now do what none of them does fresh.
    return [m for m in mistakes if recorded.get(m.name) == verdict] or mistakes


def recognised_mistakes(message: str, known: Iterable[Mistake]) -> list[Mistake]:
    """The mistakes of ``known`` that a check's failure ``message`` names."""
    known, found = list(known), []
    for match in _RECOGNISED.finditer(message):
        summary = match["summary"] or match["listed"]
        found += [m for m in known if m.summary == summary and m not in found]
    return found
