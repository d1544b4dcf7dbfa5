"""`mitrainer strings`: translatable texts with stable ids, translated scenarios, stale translations."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mitrainer.cli import main
from mitrainer.paths import bundled_scenarios
from mitrainer.safeyaml import MAX_INTEGER, dump_text, load_text
from mitrainer.scenario.load import load_scenario
from mitrainer.scenario.strings import source_hash, translatable_strings
from mitrainer.validation import validate_file

SOURCE = bundled_scenarios() / "sbnt-family-support.yaml"  # every kind of text, keywords included

# Text a YAML writer must quote or keep whole: colons, hashes, quotes, a leading dash, words
# YAML would read as other values, diacritics, CJK punctuation, line breaks.
TRICKY = ['Tôi nghĩ: "thôi" # không', "- 我不知道，真的？", "yes", "0o17", "NULL", "@mẹ tôi", "=1+1",
          "Dòng một\nDòng hai\n", "  khoảng trắng đầu", "'trích dẫn'", "真的\u3000吗"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "source.yaml"
    # Its own id, so that the bundled original is not taken for its source.
    path.write_text(SOURCE.read_text(encoding="utf-8").replace("\nid: sbnt-family-support\n", "\nid: my-support\n"),
                    encoding="utf-8")
    return path


def translate(rows: list[dict[str, str]], language: str) -> dict[str, str]:
    """Fill every row with a distinct text in ``language`` (tricky ones first); returns id → text."""
    mine = {}
    for i, row in enumerate(rows):
        if row["kind"] == "keywords":
            text = "con gái | gia đình" if language == "vi" else "女儿 | 家人"
        else:
            base = TRICKY[i] if i < len(TRICKY) else ("Bản dịch số" if language == "vi" else "译文第")
            text = base if i < len(TRICKY) else f"{base} {i}"
        row["translation"] = text
        mine[row["id"]] = text.strip()  # cells are read without surrounding spaces
    return mine


def test_every_text_a_trainee_reads_is_exported(source, tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert run(capsys, "strings", str(source), "-o", str(out))[0] == 0
    rows = read_csv(out)
    assert list(rows[0]) == ["id", "kind", "source", "translation", "source_hash"]
    scenario = load_scenario(source).require()
    by_id = {r["id"]: r for r in rows}
    first_id, first = next(iter(scenario.nodes.items()))
    assert by_id[f"nodes.{first_id}.client"]["source"] == first.client
    assert by_id[f"nodes.{first_id}.exemplars.0.text"]["source"] == first.exemplars[0].text
    assert by_id["persona.background"]["source"] == scenario.persona.background
    assert any(r["kind"] == "keywords" for r in rows) and any(r["kind"] == "debrief" for r in rows)
    assert all(r["source_hash"] == source_hash(r["source"].removeprefix("'") if r["source"][:2] in
                                               ("'-", "'=", "'+", "'@") else r["source"]) for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)


def test_ids_stay_when_other_texts_change(source):
    before = {s.id: s.hash for s in translatable_strings(load_scenario(source).require())}
    scenario = load_scenario(source).require()
    node_id, node = next(iter(scenario.nodes.items()))
    text = source.read_text(encoding="utf-8")
    # Edit one text, and add a node at the top of the nodes: row order changes, ids do not.
    edited = text.replace(node.exemplars[0].why, "A different reason.", 1)
    edited = edited.replace("\nnodes:\n", "\nnodes:\n  zz_new:\n    client: \"A new line.\"\n    talk: neutral\n"
                            "    responses:\n      - goto: " + node_id + "\n", 1)
    source.write_text(edited, encoding="utf-8")
    after = {s.id: s.hash for s in translatable_strings(load_scenario(source).require())}
    changed = {sid for sid in before if after.get(sid) != before[sid]}
    assert changed == {f"nodes.{node_id}.exemplars.0.why"}
    assert "nodes.zz_new.client" in after


@pytest.mark.parametrize("language", ["vi", "zh-Hans"])
def test_apply_builds_a_valid_translated_scenario(source, tmp_path, capsys, language):
    exported = tmp_path / "s.csv"
    run(capsys, "strings", str(source), "-o", str(exported))
    rows = read_csv(exported)
    mine = translate(rows, language.split("-")[0])
    write_csv(tmp_path / "t.csv", rows, delimiter=";" if language == "vi" else ",")
    target = tmp_path / "translated.yaml"
    code, _, err = run(capsys, "strings", "--apply", str(tmp_path / "t.csv"), str(source), "-o", str(target),
                       "--language", language)
    assert code == 0, err
    loaded = load_scenario(target)
    assert loaded.ok, loaded.diagnostics
    translated = loaded.scenario
    assert translated.language == language and translated.id == f"my-support-{language.split('-')[0]}"
    got = {s.id: s.text for s in translatable_strings(translated)}
    assert got == mine  # every text at its place, exactly (quotes, line breaks, CJK)
    assert translated.translation_of.file == "source.yaml"
    # The structure is the source's: same nodes, gotos, codes and conditions.
    original = load_scenario(source).require()
    assert [b.goto for n in translated.nodes.values() for b in n.responses] == \
           [b.goto for n in original.nodes.values() for b in n.responses]
    assert validate_file(target).diagnostics == []


def test_validate_flags_stale_missing_and_removed_translations(source, tmp_path, capsys):
    exported = tmp_path / "s.csv"
    run(capsys, "strings", str(source), "-o", str(exported))
    rows = read_csv(exported)
    translate(rows, "vi")
    untranslated = rows[-1]["id"]
    rows[-1]["translation"] = ""
    write_csv(tmp_path / "t.csv", rows)
    target = tmp_path / "vi.yaml"
    run(capsys, "strings", "--apply", str(tmp_path / "t.csv"), str(source), "-o", str(target), "--language", "vi")
    found = validate_file(target).diagnostics
    assert [(d.code, untranslated in d.message) for d in found] == [("L102", True)]

    scenario = load_scenario(source).require()
    node_id, node = next(iter(scenario.nodes.items()))
    source.write_text(source.read_text(encoding="utf-8").replace(node.exemplars[0].why, "Rewritten.", 1),
                      encoding="utf-8")
    stale = [d for d in validate_file(target).diagnostics if d.code == "L101"]
    assert len(stale) == 1 and f"nodes.{node_id}.exemplars.0.why" in stale[0].message
    line = target.read_text(encoding="utf-8").splitlines()[stale[0].position.line - 1]
    assert "why:" in line  # the warning points at the translated text

    source.unlink()
    assert [d.code for d in validate_file(target).diagnostics] == ["L103"]


def test_a_row_exported_before_the_source_changed_stays_stale(source, tmp_path, capsys):
    exported = tmp_path / "s.csv"
    run(capsys, "strings", str(source), "-o", str(exported))
    rows = read_csv(exported)
    translate(rows, "vi")
    write_csv(tmp_path / "t.csv", rows)
    scenario = load_scenario(source).require()
    source.write_text(source.read_text(encoding="utf-8").replace(scenario.persona.background[:40],
                                                                 "Changed meanwhile. " + scenario.persona.background[:20],
                                                                 1), encoding="utf-8")
    target = tmp_path / "vi.yaml"
    code, _, err = run(capsys, "strings", "--apply", str(tmp_path / "t.csv"), str(source), "-o", str(target),
                       "--language", "vi")
    assert code == 0 and "persona.background" in err
    assert [(d.code, "persona.background" in d.message) for d in validate_file(target).diagnostics] == [("L101", True)]


def test_keywords_take_any_number_of_words(source, tmp_path, capsys):
    exported = tmp_path / "s.csv"
    run(capsys, "strings", str(source), "-o", str(exported))
    rows = read_csv(exported)
    row = next(r for r in rows if r["kind"] == "keywords")
    row["translation"] = "con trai | con gái | gia đình"
    write_csv(tmp_path / "t.csv", rows)
    target = tmp_path / "vi.yaml"
    assert run(capsys, "strings", "--apply", str(tmp_path / "t.csv"), str(source), "-o", str(target),
               "--language", "vi")[0] == 0
    _, node_id, _, index, *_ = row["id"].split(".")
    branch = load_scenario(target).require().nodes[node_id].responses[int(index)]
    assert branch.when.keywords == ["con trai", "con gái", "gia đình"]

    row["translation"] = "con trai | | gia đình"
    write_csv(tmp_path / "t.csv", rows)
    code, _, err = run(capsys, "strings", "--apply", str(tmp_path / "t.csv"), str(source), "-o", str(target),
                       "--language", "vi", "--force")
    assert code == 2 and "empty keyword" in err


@pytest.mark.parametrize(("content", "message"), [
    ("id,translation\n", "lacks source_hash"),
    ("", "empty"),
    ("id,translation,source_hash\ntitle,a,x\ntitle,b,y\n", "again"),
    ("id,translation,source_hash\ntitle,bad\x1b[31m,x\n", "control character"),
])
def test_unusable_csv_files_get_a_message(source, tmp_path, capsys, content, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "strings", "--apply", str(bad), str(source), "-o", str(tmp_path / "x.yaml"),
                       "--language", "vi")
    assert code == 2 and message in err and not (tmp_path / "x.yaml").exists()


def test_not_utf8_csv_is_a_message(source, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("id,translation,source_hash\ntitle,Tiếng Việt,x\n".encode("utf-16-le"))
    code, _, err = run(capsys, "strings", "--apply", str(bad), str(source), "-o", str(tmp_path / "x.yaml"),
                       "--language", "vi")
    assert code == 2 and "UTF-8" in err


def test_outputs_are_never_overwritten_unasked(source, tmp_path, capsys):
    out = tmp_path / "s.csv"
    out.write_text("a translator's work", encoding="utf-8")
    code, _, err = run(capsys, "strings", str(source), "-o", str(out))
    assert code == 2 and "--force" in err and out.read_text(encoding="utf-8") == "a translator's work"
    code, _, err = run(capsys, "strings", "--apply", str(out), str(source), "-o", str(tmp_path / "x.yaml"))
    assert code == 2 and "--language" in err


def test_formula_cells_are_quoted_for_spreadsheets_and_read_back(tmp_path, capsys):
    from mitrainer.scenario.strings import read_strings_csv

    path = tmp_path / "t.csv"
    path.write_text("id,kind,source,translation,source_hash\ntitle,title,'-x,'=SUM(A1),abcdefabcdef\n",
                    encoding="utf-8")
    assert read_strings_csv(path)[0].translation == "=SUM(A1)"


texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
numbers = st.integers(-MAX_INTEGER, MAX_INTEGER)  # larger ones are refused on reading (Y016)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z_]{1,10}", fullmatch=True),
                       st.one_of(texts, st.lists(texts, max_size=4), numbers, st.booleans(),
                                 st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), numbers,
                                                 max_size=3)),
                       max_size=6))
@example({"text": "9007199254740992", "other": "1e400"})  # text that reads as a number out of range
def test_the_yaml_writer_round_trips_through_the_safe_loader(data):
    text = dump_text(data, "a header")
    document = load_text(text)
    assert document.ok, (text, document.diagnostics)
    assert document.data == (data or None) or (data == {} and document.data in ({}, None))


def test_csv_header_alone_is_fine(tmp_path):
    from mitrainer.scenario.strings import read_strings_csv

    path = tmp_path / "t.csv"
    path.write_text("id,kind,source,translation,source_hash\n", encoding="utf-8")
    assert read_strings_csv(path) == []


def test_strings_to_stdout(source, capsys):
    code, out, _ = run(capsys, "strings", str(source))
    assert code == 0 and next(csv.reader(io.StringIO(out))) == ["id", "kind", "source", "translation", "source_hash"]


def test_a_row_without_its_hash_is_used_but_not_vouched_for(source, tmp_path, capsys):
    exported = tmp_path / "s.csv"
    run(capsys, "strings", str(source), "-o", str(exported))
    rows = read_csv(exported)
    translate(rows, "vi")
    rows[0]["source_hash"] = ""
    write_csv(tmp_path / "t.csv", rows)
    target = tmp_path / "vi.yaml"
    code, _, err = run(capsys, "strings", "--apply", str(tmp_path / "t.csv"), str(source), "-o", str(target),
                       "--language", "vi")
    assert code == 0 and "has no source_hash" in err
    found = validate_file(target).diagnostics
    assert [(d.code, rows[0]["id"] in d.message) for d in found] == [("L102", True)]
