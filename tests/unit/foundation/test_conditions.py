"""The condition language: parsing, evaluation, error columns, and no eval of any kind."""

from __future__ import annotations

import pytest

from mitrainer.scenario import conditions
from mitrainer.scenario.conditions import (
    MAX_NESTING,
    MAX_TOKENS,
    Binary,
    Call,
    ConditionError,
    Literal,
    Unary,
    Var,
    calls_in,
    evaluate,
    names_in,
    parse,
)

VARIABLES = {"rapport": 3, "readiness": 5, "discord": 0, "stage": "contemplation", "met": True, "score": 2.5}
VISITS = {"opening": 1, "clinic_routine": 2}
FUNCTIONS = {"visits": lambda node: VISITS.get(node, 0), "turn": lambda: 4}


def run(text: str):
    return evaluate(parse(text), VARIABLES, FUNCTIONS)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("rapport >= 3", True),
        ("rapport > 3", False),
        ("rapport == 3 and readiness == 5", True),
        ("rapport == 3 and readiness == 4", False),
        ("rapport == 1 or readiness == 5", True),
        ("not rapport > 1", False),
        ("not not met", True),
        ("rapport >= 3 and not discord > 1", True),
        ("rapport < 2 or rapport > 2 and discord == 1", False),  # and binds tighter than or
        ("(rapport < 2 or rapport > 2) and discord == 0", True),
        ('stage == "contemplation"', True),
        ("stage == 'precontemplation'", False),
        ("stage != 'action'", True),
        ("met == true", True),
        ("met == false", False),
        ("score > 2.4", True),
        ("rapport + readiness == 8", True),
        ("readiness - rapport - 1 == 1", True),  # left-associative
        ("rapport == -3 + 6", True),
        ('visits("clinic_routine") < 2 or readiness == 5', True),
        ("visits(clinic_routine) == 2", True),
        ("visits(opening) == 1 and visits(nowhere) == 0", True),
        ("turn() == 4", True),
        ("turn() > rapport", True),
        ("rapport <= 3 and rapport != 4", True),
        ("1", 1),
        ("true", True),
    ],
)
def test_evaluation_table(text, expected):
    assert run(text) == expected


@pytest.mark.parametrize("text", ["stage > 1", "stage + 1 == 2", "met < 'x'"])
def test_type_mismatches_compare_as_false(text):
    assert run(text) is False


def test_parse_builds_the_expected_tree():
    expr = parse("not rapport >= 3 or visits(opening) < turn()")
    assert expr == Binary(
        "or",
        Unary("not", Binary(">=", Var("rapport", 5), Literal(3))),
        Binary("<", Call("visits", (Literal("opening"),), 21), Call("turn", (), 39)),
    )


def test_names_and_calls_are_listed_with_their_columns():
    expr = parse("rapport > 1 and visits(a) < 2 or (readiness == 3 and turn() > 1)")
    assert sorted((v.name, v.column) for v in names_in(expr)) == [("rapport", 1), ("readiness", 35)]
    assert sorted((c.name, c.column) for c in calls_in(expr)) == [("turn", 54), ("visits", 17)]


@pytest.mark.parametrize(
    "text, column, fragment",
    [
        ("", 1, "empty"),
        ("   ", 1, "empty"),
        ("rapport >> 1", 10, "unexpected '>'"),
        ("rapport > 1 && x", 13, "unexpected character '&'"),
        ("rapport = 1", 9, "unexpected character '='"),
        ("!met", 1, "unexpected character '!'"),
        ("rapport > 1 rapport", 13, "unexpected 'rapport'"),
        ("rapport > ", 11, "the end of the condition"),
        ("(rapport > 1", 13, "expected ')'"),
        ("1 < rapport < 3", 13, "chained"),
        ("and rapport", 1, "needs something before it"),
        ("rapport > 1 and or", 17, "needs something before it"),
        ('stage == "unterminated', 10, "unexpected character '\"'"),
        ("visits(1)", 8, "in the arguments"),
        ("visits(opening", 15, "the end of the condition"),
        ("rapport.real > 1", 8, "unexpected character '.'"),
        ("rapport > 1 if met else 0", 13, "unexpected 'if'"),
    ],
)
def test_parse_errors_carry_a_column(text, column, fragment):
    with pytest.raises(ConditionError) as caught:
        parse(text)
    assert caught.value.column == column
    assert fragment in str(caught.value)


def test_operator_mistakes_get_a_hint():
    for text in ("a && b", "a || b", "!a", "a = 1"):
        with pytest.raises(ConditionError) as caught:
            parse(text)
        assert "'and'" in caught.value.hint, text


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo hacked')",
        "open('/etc/passwd').read()",
        "lambda: 1",
        "[x for x in ()]",
        "rapport.__class__",
        "exec('1')",  # parses as a call: see the next test
    ],
)
def test_python_is_not_a_condition(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        expr = parse(text)
    except ConditionError:
        return
    # What does parse is a call to a function the language does not have; evaluating it
    # can only look the name up in the functions given, never in Python's builtins.
    assert [c.name for c in calls_in(expr)] == ["exec"]
    with pytest.raises(KeyError):
        evaluate(expr, VARIABLES, FUNCTIONS)


def test_a_python_call_parses_only_as_an_unknown_function():
    expr = parse("__import__('os')")
    assert expr == Call("__import__", (Literal("os"),), 1)
    assert "__import__" not in conditions.FUNCTIONS  # the validator reports S022 for it
    with pytest.raises(KeyError):
        evaluate(expr, VARIABLES, FUNCTIONS)


def test_nesting_limit():
    ok = "(" * MAX_NESTING + "rapport" + ")" * MAX_NESTING
    assert evaluate(parse(ok), VARIABLES, FUNCTIONS) == 3
    with pytest.raises(ConditionError) as caught:
        parse("(" * (MAX_NESTING + 1) + "rapport" + ")" * (MAX_NESTING + 1))
    assert caught.value.column == MAX_NESTING + 1
    with pytest.raises(ConditionError):
        parse("not " * (MAX_NESTING + 1) + "met")


def test_length_limit_keeps_evaluation_within_the_recursion_limit():
    longest = " + ".join(["1"] * (MAX_TOKENS // 2)) + " > 1"
    with pytest.raises(ConditionError) as caught:
        parse(longest)
    assert "too long" in str(caught.value)
    fits = " + ".join(["1"] * ((MAX_TOKENS - 2) // 2))
    assert evaluate(parse(fits), {}, {}) == (MAX_TOKENS - 2) // 2


def test_a_huge_condition_is_refused_without_scanning_all_of_it():
    with pytest.raises(ConditionError) as caught:
        parse("rapport " * 2_000_000)
    assert caught.value.column == MAX_TOKENS * len("rapport ") + 1


def test_unicode_digits_and_whitespace():
    assert evaluate(parse("\u00a0rapport\u3000==\u00a03\u2003"), VARIABLES, FUNCTIONS) is True
