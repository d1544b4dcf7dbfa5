"""Fuzzing what arrives from files: rubrics, conditions, transcripts, records and bundles.

Each property says what the loader promises: a result, or the loader's own error type with
a message, never another exception. (The scenario loader has its own properties in
tests/unit/foundation/test_load_properties.py.)
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mitrainer.cli.group_cmds import group_csv
from mitrainer.codes import SkillCode, Verdict
from mitrainer.errors import Diagnostic, InputError
from mitrainer.export.bundles import Bundle, BundleError, checksum_of, make_bundle, parse_bundle, read_bundle
from mitrainer.export.group import group_report
from mitrainer.export.library import ScenarioIndex
from mitrainer.export.render import render_session, render_template
from mitrainer.paths import bundled_rubrics
from mitrainer.record.read import RecordError, parse_record, read_json_file
from mitrainer.scenario import conditions
from mitrainer.scoring.rubric import LoadedRubric, RubricError
from mitrainer.scoring.rubric_load import load_rubric, parse_rubric
from mitrainer.scoring.score import score_session
from mitrainer.scoring.vocabulary import Category, GlobalRating, Situation
from mitrainer.text import find_control
from mitrainer.transcripts import Transcript, parse_transcript
from tests.sessions import REFLECTIONS, STANDARD_RESPONSES, load_fixture_scenario, play

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])
SCENARIO = load_fixture_scenario()
SESSION = play(SCENARIO, STANDARD_RESPONSES, reflections=REFLECTIONS)
RECORD = SESSION.to_json()  # the record as a file holds it
STANDARD_RUBRIC = (bundled_rubrics() / "standard.yaml").read_text(encoding="utf-8")

# Text that has tripped parsers before: control codes, bidi overrides, quotes, separators,
# surrogate-free astral characters, Markdown/HTML and template syntax.
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x1b[31m", "\x1b]0;t\x07", "\u202e", "\x00", "\r\n", '"', "'", ",", ";", "{{ x }}",
                     "<script>", "=1+1", "-", "1e999", "NaN", "9" * 5000, "🙂", "\ufeff"]),
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                         nasty_text)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(nasty_text, inner, max_size=4)), max_leaves=12)


# -- rubrics ---------------------------------------------------------------------------------

def _check_rubric(loaded: LoadedRubric) -> None:
    assert isinstance(loaded, LoadedRubric)
    assert all(isinstance(d, Diagnostic) for d in loaded.diagnostics)
    if loaded.rubric is None:
        assert loaded.errors, "no rubric and no error saying why"
    try:
        loaded.require()
    except RubricError as exc:
        assert str(exc)


rubric_keys = st.sampled_from(["schema_version", "id", "title", "include", "part", "metrics", "thresholds",
                               "globals", "messages", "situations", "codes", "good", "fair", "weight",
                               "rq_ratio", "pct_complex", "formula", "base", "scale"])
rubric_docs = st.recursive(
    st.one_of(json_scalars, rubric_keys),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(rubric_keys, inner, max_size=5)),
    max_leaves=20)


@FUZZ
@given(rubric_docs)
def test_rubric_documents_give_a_rubric_or_diagnostics(document):
    # JSON is YAML: any document the strategy builds is a syntactically valid rubric file.
    _check_rubric(parse_rubric(json.dumps(document, ensure_ascii=False), "fuzz.yaml"))


# Documents that pass the version and id checks and include the standard rubric, with
# overrides in every section: the fuzzing reaches the include, the merge and the whole-rubric
# checks, not only the shape check.
# Plain words here (control codes and broken text are fuzzed above): the documents must get
# past the YAML reader to reach the checks.
words = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
# Mostly the real vocabulary, now and then a word that is not in it.
codes_or_junk = st.sampled_from([c.value for c in SkillCode] + ["x"])
code_lists = st.lists(codes_or_junk, max_size=4)
numbers = st.one_of(st.integers(-3, 8), st.floats(-2, 10, allow_nan=False), st.sampled_from([None, "many"]))
messages = st.fixed_dictionaries({}, optional={"headline": st.one_of(words, st.sampled_from(
    ["{code} fits", "{nope} here", "{talk} and {codes}", "{"])), "rationale": words})
situation_names = st.sampled_from([s.value for s in Situation] + ["moment"])
verdict_names = st.sampled_from([v.value for v in Verdict] + ["great"])
situations = st.dictionaries(situation_names, st.fixed_dictionaries({}, optional={
    "good": code_lists, "fair": code_lists, "better": code_lists, "label": words,
    "messages": st.dictionaries(verdict_names, messages, max_size=3),
    "by_code": st.dictionaries(codes_or_junk, messages, max_size=2)}), max_size=3)
overrides = st.fixed_dictionaries({}, optional={
    "part": st.booleans(),
    "categories": st.dictionaries(st.sampled_from([c.value for c in Category] + ["others"]), code_lists,
                                  max_size=3),
    "counting": st.fixed_dictionaries({}, optional={"min_confidence": numbers, "permission_window": numbers}),
    "feedback": st.fixed_dictionaries({}, optional={"question_run": numbers, "summary_after": numbers}),
    "situations": situations,
    "globals": st.dictionaries(st.sampled_from([g.value for g in GlobalRating]), st.fixed_dictionaries({}, optional={
        "base": numbers, "terms": st.lists(st.fixed_dictionaries(
            {"indicator": st.sampled_from(["reflection_rate", "ct_response", "st_righting", "nope"]), "weight": numbers},
            optional={"invert": st.booleans(), "full_at": numbers}), max_size=3)}), max_size=2),
    "overall": st.fixed_dictionaries({}, optional={"weights": st.dictionaries(
        st.sampled_from(["technical", "relational", "empathy", "partnership", "nope"]), numbers, max_size=3)}),
    "metrics": st.dictionaries(st.sampled_from(["rq_ratio", "pct_open", "pct_complex", "overall", "nope"]), st.fixed_dictionaries(
        {}, optional={"fair": numbers, "good": numbers, "better": st.sampled_from(["higher", "lower", "up"]),
                      "format": st.sampled_from(["ratio", "percent", "score", "count", "x"])}), max_size=2),
    "translations": st.dictionaries(st.sampled_from(["vi", "zh", "xx", "english"]),
                                    st.fixed_dictionaries({"situations": situations}), max_size=2),
})


@FUZZ
@given(overrides, st.sampled_from([["standard"], ["standard", "standard"], ["nowhere"], []]))
def test_rubrics_that_include_and_override_give_a_rubric_or_diagnostics(document, include):
    text = json.dumps({"rubric_version": 1, "id": "fuzz", "include": include, **document}, ensure_ascii=False)
    loaded = parse_rubric(text, "fuzz.yaml", search=(bundled_rubrics(),))
    _check_rubric(loaded)
    if loaded.ok and include == ["standard"] and not document.get("part"):
        # Merged over the standard rubric, a rubric that passes every check scores a session.
        assert score_session(SESSION, loaded.require()).turns == len(SESSION.turns)


@FUZZ
@given(st.integers(0, len(STANDARD_RUBRIC)), st.integers(0, 60), st.text(max_size=20))
def test_damaged_standard_rubric_gives_a_rubric_or_diagnostics(at, cut, insert):
    _check_rubric(parse_rubric(STANDARD_RUBRIC[:at] + insert + STANDARD_RUBRIC[at + cut:], "standard.yaml"))


@FUZZ
@given(st.binary(max_size=300))
def test_rubric_bytes_on_disk_give_a_rubric_or_diagnostics(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("rubric") / "fuzz.yaml"
    path.write_bytes(raw)
    _check_rubric(load_rubric(path))


# -- conditions ------------------------------------------------------------------------------

condition_tokens = st.sampled_from([
    "rapport", "readiness", "stage", "x", "visits", "turn", "(", ")", ",", "and", "or", "not", "true", "false",
    "==", "!=", "<", "<=", ">", ">=", "+", "-", "=", "&&", "!", "1", "0", "3.5", "-2", "99999999999999999999",
    "9" * 5000, '"contemplation"', "'a'", '"', "__import__", "os.system", ".", "[", "{", "٣", "\u00a0", "\t"])
token_soups = st.lists(condition_tokens, max_size=30).map(" ".join)
variable_values = st.one_of(st.integers(-10, 10), st.floats(allow_nan=False, allow_infinity=False),
                            st.booleans(), st.text(max_size=5))


def _returning(value):
    return lambda *args: value


def _check_condition(text: str, data) -> None:
    try:
        expr = conditions.parse(text)
    except conditions.ConditionError as exc:
        assert str(exc) and 1 <= exc.column <= len(text) + 1
        return
    variables = {var.name: data.draw(variable_values) for var in conditions.names_in(expr)}
    functions = {call.name: _returning(data.draw(variable_values)) for call in conditions.calls_in(expr)}
    value = conditions.evaluate(expr, variables, functions)
    assert isinstance(value, (int, float, bool, str))


@FUZZ
@given(token_soups, st.data())
def test_condition_token_soups_parse_and_evaluate_or_raise_condition_error(text, data):
    _check_condition(text, data)


@FUZZ
@given(st.text(max_size=80), st.data())
def test_any_condition_text_parses_or_raises_condition_error(text, data):
    _check_condition(text, data)


# -- transcripts -----------------------------------------------------------------------------

speakers = st.one_of(st.sampled_from(["counsellor", "client", "Therapist", "patient", "", "CLIENT "]), nasty_text)
code_cells = st.one_of(st.sampled_from(["", "open_question", "CR;OQ", "change;desire", "sustain", "neutral"]),
                       nasty_text)


@st.composite
def csv_transcripts(draw) -> str:
    header = draw(st.permutations(["speaker", "text", "codes", draw(nasty_text)]).map(lambda h: h[:draw(
        st.integers(0, 4))]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 6))):
        writer.writerow([draw(st.one_of(speakers, nasty_text, code_cells)) for _ in range(draw(st.integers(0, 5)))])
    text = buffer.getvalue()
    if draw(st.booleans()):  # break the quoting somewhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', '\x00', '\r', '""', '\n"'])) + text[at:]
    return text


@st.composite
def jsonl_transcripts(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            row = {"speaker": draw(st.one_of(speakers, json_values)), "text": draw(st.one_of(nasty_text, json_values)),
                   "codes": draw(st.one_of(code_cells, json_values))}
            for key in draw(st.sets(st.sampled_from(["speaker", "text", "codes"]))):
                row.pop(key)
            lines.append(json.dumps(row, ensure_ascii=draw(st.booleans())))
        else:
            lines.append(draw(st.one_of(json_values.map(json.dumps), nasty_text)))
    return "\n".join(lines)


def _check_transcript(transcript: Transcript) -> None:
    assert isinstance(transcript, Transcript)
    assert transcript.rows or transcript.diagnostics
    assert all(isinstance(d, Diagnostic) and d.code.startswith("T") for d in transcript.diagnostics)
    for row in transcript.rows:
        assert isinstance(row.text, str) and find_control(row.text) == -1


@FUZZ
@given(csv_transcripts(), st.sampled_from(["text", "bytes", "latin-1"]))
def test_csv_transcripts_give_rows_and_diagnostics(text, form):
    data = text if form == "text" else text.encode("utf-8" if form == "bytes" else "latin-1", errors="replace")
    _check_transcript(parse_transcript(data, "fuzz.csv", "csv"))


@FUZZ
@given(jsonl_transcripts(), st.booleans())
def test_jsonl_transcripts_give_rows_and_diagnostics(text, as_bytes):
    _check_transcript(parse_transcript(text.encode("utf-8", errors="surrogatepass") if as_bytes else text,
                                       "fuzz.jsonl", "jsonl"))


# -- session records and bundles -------------------------------------------------------------

def _paths(value, prefix=()):
    """Every path into a JSON value (dict keys and list indexes)."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


RECORD_PATHS = [p for p in _paths(RECORD) if p]


@st.composite
def damaged_records(draw) -> dict:
    """The fixture record with a few values replaced by anything JSON can hold, or removed."""
    record = copy.deepcopy(RECORD)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(RECORD_PATHS))
        parent = record
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced this part
    return record


def _render_accepted(record: dict) -> None:
    """A record that passed the checks renders in every format, or gives a message."""
    scenarios = ScenarioIndex.of([SCENARIO])
    for fmt in ("md", "html", "json", "csv", "bundle"):
        try:
            text = render_session(record, fmt, trainee="fuzz", scenarios=scenarios)
        except InputError as exc:
            assert str(exc)
        else:
            assert isinstance(text, str)


@FUZZ
@given(damaged_records())
def test_damaged_records_are_refused_with_a_message_or_render(record):
    try:
        checked = parse_record(record, "fuzz")
    except RecordError as exc:
        assert str(exc).startswith("fuzz:")
        return
    _render_accepted(checked)


@FUZZ
@given(st.one_of(damaged_records(), json_values), st.booleans(), st.one_of(st.just("fuzz"), nasty_text, json_values))
def test_bundle_documents_give_a_bundle_or_bundle_error(record, reseal, trainee):
    document = make_bundle(SESSION, trainee="x", exported_at="2026-01-01T00:00:00+00:00")
    document["record"] = record
    document["trainee"] = trainee
    if reseal:  # a checksum that matches, so the checks behind it are reached too
        try:
            document["checksum"] = checksum_of(document)
        except ValueError:
            pass
    try:
        bundle = parse_bundle(document, "fuzz.bundle.json")
    except BundleError as exc:
        assert str(exc).startswith("fuzz.bundle.json:")
        return
    assert isinstance(bundle, Bundle) and find_control(bundle.trainee) == -1
    _render_accepted(bundle.record)
    other = parse_bundle(make_bundle(SESSION.model_copy(update={"session_id": "0" * 31 + "1"})), "b")
    report = group_report([bundle, other], ScenarioIndex.of([SCENARIO]))
    # A header and a row per session; a session given twice (the same id) is one row.
    assert len(list(csv.reader(io.StringIO(group_csv(report))))) == (3 if bundle.session_id != other.session_id else 2)
    assert render_template("md", "group.md.j2", {"g": report, "problems": []})


@FUZZ
@given(json_values)
def test_any_json_document_is_a_bundle_error(document):
    assume(not (isinstance(document, dict) and document.get("format") == "mitrainer-session-bundle"))
    with pytest.raises(BundleError):
        parse_bundle(document, "fuzz")


@FUZZ
@given(st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode()),
                 st.integers(0, 2000).map(lambda n: json.dumps(make_bundle(SESSION)).encode()[:n])))
def test_bytes_on_disk_give_a_bundle_or_bundle_error(tmp_path_factory, raw):
    path: Path = tmp_path_factory.mktemp("bundle") / "fuzz.bundle.json"
    path.write_bytes(raw)
    try:
        bundle = read_bundle(path)
    except BundleError as exc:
        assert str(path) in str(exc)
    else:
        assert bundle.record == parse_record(RECORD, "x")


# -- what fuzzing found, kept as plain examples ------------------------------------------------------

def test_found_by_fuzzing(tmp_path):
    with pytest.raises(conditions.ConditionError, match="out of range"):
        conditions.parse("rapport > " + "9" * 5000)  # was Python's ValueError (int digit limit)
    transcript = parse_transcript(json.dumps({"speaker": "client", "text": "x"}) + "\n" + "9" * 5000 + "\n"
                                  + "[" * 100_000, "x.jsonl", "jsonl")
    assert [(d.code, d.position.line) for d in transcript.diagnostics] == [("T006", 2), ("T006", 3)]
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(RECORD).replace('"seed": 7', '"seed": NaN'), encoding="utf-8")
    with pytest.raises(RecordError, match="NaN is not a JSON value"):  # a bundle could not be made from it
        read_json_file(path)
