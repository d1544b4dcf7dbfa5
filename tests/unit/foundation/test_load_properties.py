"""Property-based tests: whatever a file holds, loading gives a scenario or diagnostics.

Never an exception, from text, from bytes on disk, from random documents or from a valid
scenario with one part replaced by something random. A scenario that loads without errors
can be played, walked and drawn.
"""

from __future__ import annotations

import copy
import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mitrainer.codes import SkillCode
from mitrainer.coding.base import ResponseCoding
from mitrainer.engine.playtest import playtest
from mitrainer.engine.session import Session
from mitrainer.safeyaml import load_text
from mitrainer.scenario import conditions
from mitrainer.scenario.graph import to_dot, to_mermaid
from mitrainer.scenario.load import LoadedScenario, load_scenario, parse_scenario
from tests.unit.foundation.foundation_support import TEMPLATE

EXAMPLES = int(os.environ.get("MITRAINER_HYPOTHESIS_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEMPLATE_DATA = load_text(TEMPLATE).data
SCENARIO_WORDS = sorted(
    {
        *TEMPLATE_DATA,
        *TEMPLATE_DATA["persona"],
        *TEMPLATE_DATA["nodes"],
        "client",
        "responses",
        "when",
        "goto",
        "if",
        "skills",
        "keywords",
        "effects",
        "set",
        "add",
        "ending",
        "outcome",
        "debrief",
        "exemplars",
        "codes",
        "text",
        "why",
        "type",
        "default",
        "min",
        "max",
        "meter",
        "talk",
        "subtype",
        "variants",
        "rapport",
        "kind",
        "focus",
        "distractors",
        "drill",
        "change",
        "discord",
        "open_question",
        "persuade",
        "int",
        "bool",
    }
)
YAML_PIECES = [
    ":",
    ": ",
    "- ",
    "\n",
    "  ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!",
    "!!str ",
    "#",
    "'",
    '"',
    "? ",
    "|",
    ">",
    "%",
    "---\n",
    "...",
    "~",
    "\t",
    "1",
    "-1.5",
    "true",
    "no",
    "\\",
    "\x00",
    "\ufeff",
    "visits(opening) > 1",
    "é",
    "喝酒",
]


def check(loaded: LoadedScenario) -> None:
    """The contract of loading: a scenario, or errors saying why not, with sane positions."""
    assert isinstance(loaded, LoadedScenario)
    if loaded.scenario is None:
        assert loaded.errors, "no scenario and no error to say why"
    assert loaded.ok == (loaded.scenario is not None and not loaded.errors)
    for d in loaded.diagnostics:
        assert d.code[0] in "YSML" and d.message and d.position.line >= 0 and d.position.column >= 0
        str(d)
        d.to_json()


def exercise(loaded: LoadedScenario) -> None:
    """A scenario without errors can be played, walked and drawn."""
    if not loaded.ok:
        return
    scenario = loaded.scenario
    session = Session(scenario, seed=1)
    for code in (SkillCode.SIMPLE_REFLECTION, SkillCode.PERSUADE, SkillCode.OTHER):
        if session.finished:
            break
        session.respond("you drink", ResponseCoding.manual(code))
    session.record()
    playtest(scenario, walks=2, max_turns=20)
    to_mermaid(scenario)
    to_dot(scenario)


yamlish = st.lists(
    st.one_of(st.sampled_from(YAML_PIECES), st.sampled_from(SCENARIO_WORDS), st.text(max_size=8)), max_size=60
).map("".join)


@SETTINGS
@given(st.one_of(st.text(), yamlish))
def test_any_text_gives_a_scenario_or_diagnostics(text):
    check(parse_scenario(text))


@SETTINGS
@given(st.integers(0, len(TEMPLATE)), st.integers(0, 40), yamlish)
def test_template_with_a_random_splice(start, length, insert):
    loaded = parse_scenario(TEMPLATE[:start] + insert + TEMPLATE[start + length :])
    check(loaded)
    exercise(loaded)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("props") / "s.yaml"


@SETTINGS
@given(
    raw=st.one_of(
        st.binary(max_size=400),
        yamlish.map(lambda t: t.encode("utf-8")),
        st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "latin-1", "utf-8-sig", "utf-32"]).map(
            lambda enc: TEMPLATE.replace("Sam", "Sãm").encode(enc)
        ),
    )
)
def test_any_bytes_on_disk_give_a_scenario_or_diagnostics(raw, scratch):
    scratch.write_bytes(raw)
    check(load_scenario(scratch))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(SCENARIO_WORDS),
    st.sampled_from(["visits(opening) > 1", "rapport >", "turn() == 2", "(((", "not not rapport"]),
)
keys = st.one_of(st.sampled_from(SCENARIO_WORDS), st.integers(-3, 3), st.booleans(), st.text(max_size=6))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=30,
)


@SETTINGS
@given(documents)
def test_random_documents(doc):
    check(parse_scenario(yaml.safe_dump(doc, allow_unicode=True)))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, prefix + (index,))


TEMPLATE_PATHS = list(_paths(TEMPLATE_DATA))[1:]


@SETTINGS
@given(st.sampled_from(TEMPLATE_PATHS), documents, st.booleans())
def test_template_with_one_part_replaced_or_removed(path, value, remove):
    data = copy.deepcopy(TEMPLATE_DATA)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if remove:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    loaded = parse_scenario(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    check(loaded)
    exercise(loaded)


@SETTINGS
@given(
    st.one_of(
        st.text(max_size=80),
        st.lists(
            st.sampled_from(
                [
                    "rapport",
                    "visits",
                    "turn",
                    "(",
                    ")",
                    "and",
                    "or",
                    "not",
                    "==",
                    "<",
                    ">=",
                    "+",
                    "-",
                    '"x"',
                    "'y'",
                    "1",
                    "2.5",
                    ",",
                    "true",
                    "&",
                    "!",
                    "=",
                    " ",
                ]
            ),
            max_size=40,
        ).map(" ".join),
    )
)
def test_conditions_parse_or_raise_condition_error(text):
    try:
        expr = conditions.parse(text)
    except conditions.ConditionError as exc:
        assert 1 <= exc.column <= len(text) + 1
        return
    functions = {"visits": lambda *a: 1, "turn": lambda *a: 2}
    try:
        conditions.evaluate(expr, {"rapport": 1, "visits": 0, "turn": 0}, functions)
    except KeyError:
        pass  # a name the test did not declare (the validator reports it as S012)
