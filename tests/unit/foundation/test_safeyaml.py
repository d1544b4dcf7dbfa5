"""mitrainer.safeyaml: every Y diagnostic with its position, and the plain-value schema."""

from __future__ import annotations

import os

import pytest
import yaml

from mitrainer.errors import Position, Severity
from mitrainer.safeyaml import MAX_ALIAS_EXPANSION, MAX_DEPTH, load_file, load_text
from tests.unit.foundation.foundation_support import TEMPLATE, col_of, edit, line_of, only, parse


def single(doc, code: str):
    assert [d.code for d in doc.diagnostics] == [code], [str(d) for d in doc.diagnostics]
    diagnostic = doc.diagnostics[0]
    assert diagnostic.severity is Severity.ERROR
    assert doc.data is None and not doc.ok
    return diagnostic


# -- values ------------------------------------------------------------------------------


def test_plain_scalars_follow_the_yaml_1_2_core_schema():
    doc = load_text(
        "a: no\nb: on\nc: yes\nd: 0x1F\ne: 1e3\nf: -2.5e2\ng: ~\nh: '1'\ni: 012\nj: True\nk: null\nl: -4\n"
        "m: 0o17\nn: 1.5\no: '.NaN'\np: |\n  block 12\n"
    )
    assert doc.ok
    data = doc.data
    # Words that YAML 1.1 turns into booleans stay text: a client who says "no" means no.
    assert (data["a"], data["b"], data["c"]) == ("no", "on", "yes")
    assert data["d"] == 31 and data["m"] == 15 and data["l"] == -4 and data["i"] == 12
    assert data["e"] == 1000.0 and data["n"] == 1.5 and data["f"] == -250.0 and data["o"] == ".NaN"
    assert data["g"] is None and data["k"] is None and data["j"] is True
    assert data["h"] == "1"  # quoted: always text
    assert data["p"] == "block 12\n"


@pytest.mark.parametrize("number", [".inf", "-.Inf", ".nan", "1e16", "-1e308", "9007199254740992", "0x20000000000000",
                                    "0x" + "f" * 5000, "1" + "0" * 400, "!!float 1e20", "!!int 0x" + "f" * 20])
def test_numbers_beyond_the_limits_are_refused_with_their_position(number):
    doc = load_text(f"title: x\nvalue: {number}\n")
    (problem,) = doc.diagnostics
    assert problem.code == "Y016" and problem.position.line == 2 and "out of range" in problem.message
    assert len(problem.message) < 300  # a 5 000-digit number is not printed whole


def test_numbers_at_the_limits_and_quoted_ones_are_kept():
    doc = load_text("a: 9007199254740991\nb: -9007199254740991\nc: 1e15\nd: '0xfffffffffffffffffff'\ne: -1e15\n")
    assert doc.data == {"a": 2**53 - 1, "b": -(2**53 - 1), "c": 1e15, "d": "0xfffffffffffffffffff", "e": -1e15}


def test_standard_tags_are_accepted_and_applied():
    doc = load_text(
        "a: !!str 12\nb: !!int '7'\nc: !!bool 'true'\nd: !!null ''\ne: !!float 2\nf: !!map {x: 1}\n"
    )
    assert doc.ok
    assert doc.data == {"a": "12", "b": 7, "c": True, "d": None, "e": 2, "f": {"x": 1}}


def test_positions_of_keys_and_values_are_recorded():
    text = "title: Hello\nnodes:\n  start:\n    client: 'Hi there'\n    list: [a, b]\n"
    doc = load_text(text)
    assert doc.positions.of(("title",)) == Position(1, 8)
    assert doc.positions.of(("title",), key=True) == Position(1, 1)
    assert doc.positions.of(("nodes", "start"), key=True) == Position(3, 3)
    assert doc.positions.of(("nodes", "start", "client")) == Position(4, 13)
    assert doc.positions.of(("nodes", "start", "list", 1)) == Position(5, 15)
    # A path that is not in the document falls back to its nearest parent.
    assert doc.positions.of(("nodes", "start", "missing", 3)) == Position(4, 5)


POSITIONED = """\
title: Hello   # a comment
nodes:
  start:
    client: 'Hi there'
    list: [alpha, {beta: gamma}, [delta]]
    responses:
      - goto: epsilon
        when: {skills: [zeta, eta]}
      - 12
  other: {theta: "iota", kappa: ~}
"""


def _at(text: str, position: Position) -> str:
    return text.splitlines()[position.line - 1][position.column - 1:]


def test_every_key_and_value_position_points_at_its_text():
    doc = load_text(POSITIONED)
    assert doc.ok
    paths = dict(doc.positions.items())
    assert len(paths) == 22  # 11 mappings and lists (the root one of them), 11 scalars

    def value_at(path):
        node = doc.data
        for part in path:
            node = node[part]
        return node

    for path, position in paths.items():
        value = value_at(path)
        if isinstance(value, str):
            assert _at(POSITIONED, position).lstrip("'\"").startswith(value), path
        elif isinstance(value, int):
            assert _at(POSITIONED, position).startswith(str(value)), path
        if path and isinstance(path[-1], str):
            assert _at(POSITIONED, doc.positions.of(path, key=True)).startswith(path[-1] + ":"), path
    # Mappings and lists start at their first key or at their opening bracket.
    assert _at(POSITIONED, paths[("nodes", "start", "list", 1)]).startswith("{beta")
    assert _at(POSITIONED, paths[("nodes", "start", "responses", 0)]).startswith("goto")
    assert list(paths)[:4] == [(), ("title",), ("nodes",), ("nodes", "start")]  # document order


def test_positions_do_not_depend_on_the_data_after_parsing():
    # Positions are kept apart from the values, so code that edits the parsed data before
    # asking for a position still gets the place in the file.
    doc = load_text(POSITIONED)
    doc.data["nodes"]["start"].clear()
    doc.data["nodes"]["inserted"] = {"x": 1}
    doc.data.pop("title")
    assert doc.positions.of(("nodes", "start", "list", 2, 0)) == Position(5, 35)
    assert doc.positions.of(("title",), key=True) == Position(1, 1)
    assert doc.positions.of(("nodes", "inserted", "x")) == Position(3, 3)  # nearest parent


def test_positions_inside_an_alias_are_those_of_the_alias():
    doc = load_text("base: &b {x: 1, y: [1, 2]}\ncopy: *b\n")
    assert doc.positions.of(("base", "y", 1)) == Position(1, 24)
    assert doc.positions.of(("copy",)) == Position(2, 7)
    assert doc.positions.of(("copy", "y", 1)) == Position(2, 7)


def test_positions_of_a_refused_document_are_those_read_before_the_problem():
    doc = load_text("a: 1\nb: [x, *nowhere]\n")
    assert [d.code for d in doc.diagnostics] == ["Y008"]
    assert doc.positions.of(("a",)) == Position(1, 4)
    assert doc.positions.of(("b", 0)) == Position(2, 5)
    assert doc.positions.of(("b", 1)) == Position(2, 4)  # never read: its parent


def test_empty_and_comment_only_documents_are_none_without_problems():
    for text in ("", "# nothing here\n", "   \n"):
        doc = load_text(text)
        assert doc.ok and doc.data is None


def test_anchors_and_small_aliases_are_fine():
    doc = load_text("base: &b {x: 1, y: [1, 2]}\ncopy: *b\nword: &w hello\nagain: *w\n")
    assert doc.ok
    assert doc.data["copy"] == {"x": 1, "y": [1, 2]} and doc.data["again"] == "hello"


# -- Y001 to Y008: what the YAML text may not contain -------------------------------------


def test_y001_syntax_error_points_at_the_second_colon():
    text = edit(TEMPLATE, 'topic: "What the conversation is about"', "topic: Why: because")
    d = only(parse(text), "Y001")
    assert d.severity is Severity.ERROR
    assert d.position == Position(line_of(text, "topic: Why"), col_of(text, ": because"))
    assert "YAML syntax" in d.message and "quoted" in d.hint


def test_y001_unclosed_flow_sequence():
    d = single(load_text("a: 1\nb: [1, 2\nc: 3\n", "f.yaml"), "Y001")
    assert d.position.line == 3 and d.file == "f.yaml"


def test_y001_tab_indentation():
    d = single(load_text("a: 1\n\tb: 2\n"), "Y001")
    assert d.position.line == 2 and "tab" in d.message


@pytest.mark.parametrize(
    ("text", "unit"),
    [("[" * 10_000, "["), ("{a: " * 10_000, "{a: "), ("- " * 10_000 + "x", "- "), ('["[[", ' * 10_000, '["[[", ')],
    ids=["flow-seq", "flow-map", "block-seq", "flow-seq-with-quoted-brackets"],
)
def test_y002_deep_nesting_is_refused_at_the_limit(text, unit):
    # The contract, whichever part refuses first (mitrainer's limit or, since PyYAML 6.0.4,
    # libyaml's own): Y002, naming the limit, at the collection that passes it.
    d = single(load_text(text), "Y002")
    assert d.position == Position(1, MAX_DEPTH * len(unit) + 1)
    assert str(MAX_DEPTH) in d.message and d.hint


def test_y002_whatever_the_parser_calls_its_own_depth_refusal(monkeypatch):
    # A parser that refuses deep flow nesting before the composer reaches the limit, in
    # words no release has used: still Y002 at the 65th level, not a syntax error.
    from mitrainer import safeyaml

    class RefusingParser:
        def __init__(self, text):
            pass

        def get_event(self):
            mark = yaml.Mark("", 0, 0, 500, None, None)
            raise yaml.scanner.ScannerError("while reading", mark, "too many brackets for me", mark)

    monkeypatch.setattr(safeyaml, "_Parser", RefusingParser)
    d = single(load_text("[" * 1000), "Y002")
    assert d.position == Position(1, MAX_DEPTH + 1)


def test_a_syntax_error_in_shallow_flow_stays_y001():
    d = single(load_text("a: [[1, 2]\nb: {c: [3\n"), "Y001")
    assert d.position.line >= 2


def test_y002_deep_block_mappings():
    text = "".join(" " * i + "a:\n" for i in range(10_000))
    d = single(load_text(text), "Y002")
    # The 65th mapping opens on line 65, indented 64 spaces.
    assert d.position == Position(MAX_DEPTH + 1, MAX_DEPTH + 1)


def test_nesting_up_to_the_limit_is_accepted():
    doc = load_text("[" * (MAX_DEPTH) + "]" * MAX_DEPTH)
    assert doc.ok


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_y003_billion_laughs_is_refused():
    # No document object in an assert or as an argument: should this fail, pytest would
    # print it, and printing a bomb never ends.
    diagnostics = load_text(billion_laughs()).diagnostics
    assert [x.code for x in diagnostics] == ["Y003"]
    d = diagnostics[0]
    # The budget runs out on the first line whose aliases expand past it (level f: 9**5).
    assert d.position.line == 6 and "alias" in d.message and d.hint


def test_y003_alias_bomb_inside_a_scenario_field_is_refused_quickly():
    # A bomb whose value lands in a field: before the budget counted nested aliases, the
    # diagnostic for 'difficulty' tried to print all 9**8 strings and never returned.
    bomb = "".join("  " + line + "\n" for line in billion_laughs(8).splitlines())
    text = edit(TEMPLATE, "difficulty: beginner ", "difficulty: *h ")
    text = edit(text, "schema_version: 1\n", "schema_version: 1\nbomb:\n" + bomb)
    loaded = parse(text)
    assert [d.code for d in loaded.diagnostics] == ["Y003"]


def test_y003_shallow_aliases_within_the_budget_are_accepted():
    # 9 x 9 x 9 = 729 expanded nodes: repeated structure that is fine to use.
    doc = load_text(billion_laughs(3))
    assert doc.ok and len(doc.data["c"]) == 9 and doc.data["c"][0][0][0] == "lol"
    assert MAX_ALIAS_EXPANSION > 729


@pytest.mark.parametrize(
    "text, tag",
    [
        ("a: !!python/object:os.system x\n", "python/object:os.system"),
        ("a: !!python/name:os.system\n", "python/name:os.system"),
        ("a: !custom x\n", "!custom"),
        ("a: !!set {x, y}\n", "set"),
        ("a: !!omap [x: 1]\n", "omap"),
    ],
)
def test_y004_tags_are_refused(text, tag):
    d = single(load_text(text), "Y004")
    assert d.position == Position(1, 4) and tag in d.message


def test_y005_more_than_one_document():
    text = TEMPLATE + "---\nschema_version: 1\n"
    d = only(parse(text), "Y005")
    assert d.position.line == line_of(text, "---\n") and d.position.column == 1


def test_y006_complex_mapping_keys():
    d = single(load_text("a: 1\n? [x, y]\n: 2\n"), "Y006")
    assert d.position == Position(2, 3)
    d = single(load_text("{[a]: 1}"), "Y006")
    assert d.position == Position(1, 2)


def test_y007_duplicate_key_points_at_the_second_one():
    text = edit(TEMPLATE, 'version: "1"\n', 'version: "1"\nauthor: Twice\n')
    d = only(parse(text), "Y007")
    assert d.position == Position(line_of(text, "author: Twice"), 1)
    assert "'author'" in d.message and d.hint


def test_y007_duplicate_key_in_a_nested_mapping():
    d = single(load_text("nodes:\n  a:\n    client: x\n    client: y\n"), "Y007")
    assert d.position == Position(4, 5)


def test_y008_unknown_alias():
    d = single(load_text("a: 1\nb: *nowhere\n"), "Y008")
    assert d.position == Position(2, 4) and "*nowhere" in d.message


def test_y008_an_alias_inside_its_own_anchor_is_refused():
    # The anchor is known only once its node is complete: the values stay acyclic, which
    # the loader relies on when it pauses the cycle collector.
    for text in ("a: &x [1, *x]\n", "a: &x {b: *x}\n"):
        d = single(load_text(text), "Y008")
        assert d.position == Position(1, 11)
    # Redefining an anchor refers to its earlier value, not to itself.
    doc = load_text("a: &x 1\nb: &x [*x]\nc: *x\n")
    assert doc.ok and doc.data == {"a": 1, "b": [1], "c": [1]}


# -- Y010 to Y015: what the file itself may not be ---------------------------------------


def test_y010_nul_bytes(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"schema_version: 1\x00\x00\n")
    d = single(load_file(path, "s.yaml"), "Y010")
    assert d.position == Position(1, 1) and d.file == "s.yaml" and "UTF-8" in d.hint


def test_y011_invalid_utf8_points_at_the_bad_byte(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"a: 1\ntitle: caf\xe9 au lait\n")  # latin-1 e-acute
    d = single(load_file(path), "Y011")
    assert d.position == Position(2, 11)


def test_y012_folder(tmp_path):
    d = single(load_file(tmp_path), "Y012")
    assert d.position == Position()


def test_y013_too_big(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("a: 1\n" * 30)
    d = single(load_file(path, max_bytes=100), "Y013")
    assert "MB" in d.message and d.position == Position() and d.hint


def test_y014_missing(tmp_path):
    d = single(load_file(tmp_path / "absent.yaml", "absent.yaml"), "Y014")
    assert (
        d.message == "file not found"
        and d.position == Position()
        and str(d) == "absent.yaml: error Y014: file not found"
    )


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_y015_unreadable_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    try:
        d = single(load_file(path), "Y015")
        assert "permission" in d.message
    finally:
        path.chmod(0o600)


def test_y015_permission_error_on_open(tmp_path, monkeypatch):
    # The same path as chmod 000, reachable when the tests run as root.
    path = tmp_path / "s.yaml"
    path.write_text("a: 1\n")

    import mitrainer.safeyaml as safeyaml

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(safeyaml.os, "open", refuse)
    d = single(load_file(path), "Y015")
    assert "permission" in d.message


def test_y015_other_os_errors(tmp_path):
    # A path through a regular file: stat fails with ENOTDIR, neither missing nor a folder.
    afile = tmp_path / "plain.txt"
    afile.write_text("x")
    d = single(load_file(afile / "s.yaml"), "Y015")
    assert "cannot read" in d.message
