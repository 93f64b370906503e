"""Generic tests of every chapter's exercises and known mistakes, fed by the per-chapter tables.

Each test is parametrized over every chapter key, exercise or known mistake, and reads what
only the chapter knows from its optional table ``tests/chapters/<key>.py`` (see tables.py):
a new chapter is tested here without editing this file. Test ids start with the chapter key
(tests/conftest.py runs each chapter's tests as one unit).
"""

import re

import pytest
from answers import CODE_EXERCISES, SOLUTIONS, answer_failure, checks, failure, solved_namespace, with_answer
from tables import FOLDER, entry, sources, table

from autograder.chapters import KEYS, all_mistakes, chapter_of, part
from autograder.instructors.submissions import answers
from autograder.runtime import sections
from autograder.runtime.cases import SEED_VAR
from autograder.runtime.compare import CheckFailure
from autograder.runtime.mistakes import Mistake

MISTAKES = all_mistakes()
# (chapter key, exercise), chapter by chapter.
EXERCISES = sorted((key, exercise) for exercise, key in CODE_EXERCISES.items())
# What a known mistake's cell imports (Mistake.source): other answers get the same.
HEADER = "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n"


def ids(cases) -> list[str]:
    """Test ids of ``(key, name, ...)`` tuples: ``key-name-...``."""
    return ["-".join(map(str, case)) for case in cases]


def mistake_id(mistake: Mistake) -> str:
    return f"{chapter_of(mistake)}-{mistake.name}"


def chapter_mistakes(key: str) -> dict[str, Mistake]:
    """The known mistakes of chapter ``key``, by name."""
    return {m.name: m for m in MISTAKES if chapter_of(m) == key}


def wrong_answer(key: str, name: str) -> tuple[str, str]:
    """``(exercise, source)`` of the wrong answer ``name`` of chapter ``key``: a known mistake,
    or an entry of the table's ``OTHER_WRONG_ANSWERS``."""
    other = entry(key, "OTHER_WRONG_ANSWERS")
    if name in other:
        return other[name]
    mistake = chapter_mistakes(key).get(name)
    assert mistake is not None, f"{key} has no known mistake or OTHER_WRONG_ANSWERS entry named {name}"
    return mistake.exercise, mistake.source


def hidden_check(exercise: str):
    """The hidden check of ``exercise`` alone: without the diagnosis of a failure."""
    return checks(exercise)[1].__wrapped__


# --- the tables themselves ----------------------------------------------------------------------------


def test_every_table_belongs_to_a_chapter():
    """A table is named after a chapter key (a misspelt one would be silently ignored)."""
    names = {path.stem for path in FOLDER.glob("*.py") if not path.name.startswith("test_")}
    assert names <= set(KEYS), f"tables of no chapter: {sorted(names - set(KEYS))}"


@pytest.mark.parametrize("key", [key for key in KEYS if table(key) is not None])
def test_table_names_only_what_exists(key):
    """Every exercise, mistake and wrong answer a table names exists in its chapter."""
    mistakes = set(chapter_mistakes(key))
    exercises = {exercise for exercise, chapter in CODE_EXERCISES.items() if chapter == key}
    answers_ = mistakes | set(entry(key, "OTHER_WRONG_ANSWERS"))
    expected = {
        "MESSAGES": answers_,
        "HIDDEN_FAILURES": answers_,
        "PASSES_HIDDEN_CHECK": mistakes,
        "SECTIONS_ELSEWHERE": mistakes,
        "HINTS_QUOTING_THE_SOLUTION": mistakes,
        "MISTAKE_SEEDS_FOR": mistakes | exercises,
        "SOLUTION_SEEDS_FOR": exercises,
        "OTHER_CORRECT_ANSWERS": exercises,
        "REFERENCE_MESSAGES": exercises,
    }
    for name, known in expected.items():
        unknown = set(entry(key, name)) - known
        assert not unknown, f"{name} of tests/chapters/{key}.py names what {key} does not have: {sorted(unknown)}"
    for name, (exercise, _) in entry(key, "OTHER_WRONG_ANSWERS").items():
        assert exercise in exercises, f"OTHER_WRONG_ANSWERS[{name!r}] answers {exercise}, not an exercise of {key}"


# --- messages ---------------------------------------------------------------------------------------

MESSAGE_CASES = [(key, name) for key in KEYS for name in entry(key, "MESSAGES")]


@pytest.mark.parametrize("key, name", MESSAGE_CASES, ids=ids(MESSAGE_CASES))
def test_mistake_message_names_the_problem(key, name, monkeypatch):
    """The first failing check of a typical wrong answer says plainly what is wrong (table: MESSAGES;
    the hints it adds: test_checks.py)."""
    monkeypatch.setenv(SEED_VAR, str(entry(key, "SEED")))
    exercise, source = wrong_answer(key, name)
    phrase = entry(key, "MESSAGES")[name]
    # The diagnosis only appends to the check's own message: look there first (much faster).
    message = failure(exercise, with_answer(exercise, source), diagnose=False)
    if message is not None and phrase not in message:
        message = failure(exercise, with_answer(exercise, source))
    assert message is not None and phrase in message, message


@pytest.mark.parametrize("key", [key for key in KEYS if entry(key, "MESSAGE_FOR_EVERY_MISTAKE")])
def test_every_mistake_has_a_message_test(key):
    """Every known wrong answer of the chapter has its expected message (table: MESSAGE_FOR_EVERY_MISTAKE)."""
    missing = set(chapter_mistakes(key)) - set(entry(key, "MESSAGES"))
    assert not missing, f"no MESSAGES entry for {sorted(missing)}"


HIDDEN_FAILURE_CASES = [(key, name) for key in KEYS for name in entry(key, "HIDDEN_FAILURES")]


@pytest.mark.parametrize("key, name", HIDDEN_FAILURE_CASES, ids=ids(HIDDEN_FAILURE_CASES))
def test_hidden_failure_quotes_the_seed_and_the_inputs(key, name, monkeypatch):
    """A failed hidden check says which case failed, on which inputs, with which grading seed
    (table: HIDDEN_FAILURES)."""
    seed = entry(key, "SEED")
    monkeypatch.setenv(SEED_VAR, str(seed))
    exercise, source = wrong_answer(key, name)
    pattern = entry(key, "HIDDEN_FAILURES")[name].replace("{seed}", str(seed))
    with pytest.raises(CheckFailure, match=pattern):
        checks(exercise)[1](with_answer(exercise, source)[exercise])


# --- seeds --------------------------------------------------------------------------------------------


def mistake_seeds(mistake: Mistake):
    key = chapter_of(mistake)
    chosen = entry(key, "MISTAKE_SEEDS_FOR")
    return chosen.get(mistake.name, chosen.get(mistake.exercise, entry(key, "MISTAKE_SEEDS")))


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_id)
def test_hidden_check_alone_fails_every_mistake_whatever_the_seed(mistake, monkeypatch):
    """The hidden check on its own (not the visible one first, nor the diagnosis) fails each known
    mistake under every grading seed tried: a student who fixes only what the visible examples
    show still loses the hidden points, and no mistake escapes on a lucky draw. A mistake the
    hidden check lets through is listed, with the reason, in PASSES_HIDDEN_CHECK."""
    seeds = list(mistake_seeds(mistake))
    assert seeds
    passed = []
    for seed in seeds:
        monkeypatch.setenv(SEED_VAR, str(seed))
        try:
            hidden_check(mistake.exercise)(with_answer(mistake.exercise, mistake.source)[mistake.exercise])
        except CheckFailure:
            continue
        passed.append(seed)
    reason = entry(chapter_of(mistake), "PASSES_HIDDEN_CHECK").get(mistake.name)
    if reason is None:
        assert not passed, f"the hidden check passes {mistake.name} ({mistake.summary}) under grading seeds {passed}"
    else:
        assert passed == seeds, f"the hidden check fails {mistake.name} now: remove it from PASSES_HIDDEN_CHECK"
        answer = with_answer(mistake.exercise, mistake.source)[mistake.exercise]
        assert answer_failure(mistake.exercise, answer, kinds=(0,), diagnose=False) is not None


@pytest.mark.parametrize("key, exercise", EXERCISES, ids=ids(EXERCISES))
def test_solution_passes_the_hidden_check_for_many_seeds(key, exercise, monkeypatch):
    """The tolerances and the random cases never fail the instructor's answer (table:
    SOLUTION_SEEDS, SOLUTION_SEEDS_FOR)."""
    seeds = entry(key, "SOLUTION_SEEDS_FOR").get(exercise, entry(key, "SOLUTION_SEEDS"))
    if not seeds:
        pytest.skip(f"tests/chapters/{key}.py gives {exercise} no grading seeds (see its comment)")
    failed = []
    for seed in seeds:
        monkeypatch.setenv(SEED_VAR, str(seed))
        try:
            checks(exercise)[1](solved_namespace(key)[exercise])
        except CheckFailure as error:
            failed.append(f"grading seed {seed}: {error}")
    assert not failed, f"{len(failed)} of {len(seeds)} seeds fail the solution:\n" + "\n".join(failed[:3])


# --- other answers --------------------------------------------------------------------------------------

OTHER_CORRECT_CASES = [
    (key, exercise, label)
    for key in KEYS
    for exercise, value in entry(key, "OTHER_CORRECT_ANSWERS").items()
    for label in sources(value)
]


@pytest.mark.parametrize("key, exercise, label", OTHER_CORRECT_CASES, ids=ids(OTHER_CORRECT_CASES))
def test_other_correct_answers_pass(key, exercise, label, monkeypatch):
    """The checks accept any right answer, not only the instructor's (table: OTHER_CORRECT_ANSWERS)."""
    source = HEADER + sources(entry(key, "OTHER_CORRECT_ANSWERS")[exercise])[label]
    for seed in entry(key, "OTHER_CORRECT_SEEDS"):
        monkeypatch.setenv(SEED_VAR, str(seed))
        message = failure(exercise, with_answer(exercise, source))
        assert message is None, f"grading seed {seed}: {message}"


REFERENCE_CASES = [(key, exercise) for key, exercise in EXERCISES if hasattr(part(key, "reference"), exercise)]


@pytest.mark.parametrize("key, exercise", REFERENCE_CASES, ids=ids(REFERENCE_CASES))
def test_handing_in_the_reference_fails(key, exercise):
    """The course's own reference implementation, handed in as the answer, earns nothing, and the
    message says why (table: REFERENCE_MESSAGES)."""
    reference = getattr(part(key, "reference"), exercise)
    message = answer_failure(exercise, reference, diagnose=False)
    assert message is not None, "the reference passes as an answer"
    phrase = entry(key, "REFERENCE_MESSAGES").get(exercise)
    if phrase is not None:
        assert phrase in message, message
    else:
        called = re.search(r"called the course's own implementation \((?P<functions>[^)]*)\)", message)
        # a class is caught in its __init__, a function by its name
        caught = "reference.__init__" if isinstance(reference, type) else f"reference.{exercise}"
        assert called and caught in called["functions"].split(", "), message


# --- the known mistakes' hints --------------------------------------------------------------------------


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if m.section], ids=mistake_id)
def test_mistake_section_is_a_heading_of_its_chapter(mistake):
    """A hint sends the student to a heading (levels 1 to 3) of the chapter's own page, or of the
    page its table lists in SECTIONS_ELSEWHERE."""
    key = chapter_of(mistake)
    page, _, anchor = mistake.section.partition("#")
    assert page == entry(key, "SECTIONS_ELSEWHERE").get(mistake.name, key), mistake.section
    assert anchor in sections.page_sections(page), f"book/{page}.md has no heading with the anchor {anchor!r}"


@pytest.mark.parametrize("key", [key for key in KEYS if entry(key, "EVERY_MISTAKE_HAS_A_SECTION")])
def test_every_mistake_names_a_section(key):
    """With EVERY_MISTAKE_HAS_A_SECTION, every hint of the chapter says where to read more."""
    missing = sorted(name for name, mistake in chapter_mistakes(key).items() if not mistake.section)
    assert not missing, f"these mistakes name no section of the book: {missing}"


def solution_lines(key: str) -> set[str]:
    """The lines of the instructor's answers of chapter ``key`` (longer than 12 characters)."""
    return {
        line.strip()
        for source in answers(SOLUTIONS[key]).values()
        for line in source.splitlines()
        if len(line.strip()) > 12
    }


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_id)
def test_hint_is_short_and_shows_no_solution_code(mistake):
    """A mistake is named after its exercise; its hint is one or two sentences and quotes no line
    of the instructor's answer (except those listed in HINTS_QUOTING_THE_SOLUTION)."""
    key = chapter_of(mistake)
    assert mistake.name.startswith(mistake.exercise + "_")
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Za-z])", mistake.hint.strip())
    assert 1 <= len(sentences) <= 2, mistake.hint
    quoted = sorted(line for line in solution_lines(key) if line in mistake.hint)
    if mistake.name in entry(key, "HINTS_QUOTING_THE_SOLUTION"):
        assert quoted, f"{mistake.name} quotes no line of the answer now: remove it from HINTS_QUOTING_THE_SOLUTION"
    else:
        assert not quoted, f"the hint of {mistake.name} quotes the instructor's answer: {quoted}"
