"""Hostile files: each is refused with a diagnostic (or loads), never a crash or a hang."""

from __future__ import annotations

import os

import pytest

from mitrainer.errors import ScenarioError
from mitrainer.safeyaml import MAX_FILE_BYTES
from mitrainer.scenario.load import load_scenario, parse_scenario
from tests.unit.foundation.foundation_support import TEMPLATE, edit


def codes_of(loaded) -> list[str]:
    return [d.code for d in loaded.diagnostics]


def refused(loaded, code: str) -> None:
    assert codes_of(loaded) == [code], [str(d) for d in loaded.diagnostics]
    assert loaded.scenario is None and not loaded.ok
    with pytest.raises(ScenarioError) as caught:
        loaded.require()
    assert code in str(caught.value) and caught.value.diagnostics == loaded.diagnostics


def test_missing_file(tmp_path):
    loaded = load_scenario(tmp_path / "nope.yaml")
    refused(loaded, "Y014")
    assert loaded.diagnostics[0].file.endswith("nope.yaml")


def test_directory(tmp_path):
    refused(load_scenario(tmp_path), "Y012")


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.yaml"
    path.write_bytes(bytes(range(256)) * 40)
    refused(load_scenario(path), "Y010")


def test_binary_junk_without_nul_bytes(tmp_path):
    path = tmp_path / "junk.yaml"
    path.write_bytes(bytes(range(1, 256)) * 40)
    refused(load_scenario(path), "Y011")


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: nothing is written, stat says 50 MB
    loaded = load_scenario(path)
    refused(loaded, "Y013")
    assert "52.4 MB" in loaded.diagnostics[0].message


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_device_is_refused_without_reading():
    # stat says 0 bytes, and reading would never end: a device is not a scenario file.
    loaded = load_scenario("/dev/zero")
    refused(loaded, "Y012")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_not_waited_on(tmp_path):
    # Opening a named pipe for reading waits for a writer: before, 'validate pipe.yaml' hung.
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    loaded = load_scenario(fifo)
    refused(loaded, "Y012")
    assert "not a regular file" in loaded.diagnostics[0].message


def test_a_fifo_in_a_scenarios_folder_is_reported_and_the_others_load(tmp_path):
    from mitrainer.scenario.load import load_library

    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "good.yaml").write_text(TEMPLATE, encoding="utf-8")
    library = load_library([tmp_path])
    assert len(library.scenarios) == 1


def test_just_under_the_limit_is_read(tmp_path):
    path = tmp_path / "big.yaml"
    filler = "# " + "x" * 98 + "\n"
    body = TEMPLATE + filler * ((MAX_FILE_BYTES - len(TEMPLATE.encode())) // len(filler) - 1)
    path.write_text(body, encoding="utf-8")
    assert path.stat().st_size <= MAX_FILE_BYTES
    assert load_scenario(path).ok


@pytest.mark.parametrize(
    "text", ["[" * 10_000, "- " * 10_000 + "x", "{a: " * 10_000], ids=["flow-seq", "block-seq", "flow-map"]
)
def test_10000_deep_nesting(text, tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    refused(load_scenario(path), "Y002")


def test_10000_deep_block_mappings():
    refused(parse_scenario("".join(" " * i + "a:\n" for i in range(10_000))), "Y002")


def test_10000_deep_mappings_under_a_real_key():
    text = edit(
        TEMPLATE, "  age: 34\n", "  age:\n" + "".join("    " + " " * i + "a:\n" for i in range(10_000))
    )
    refused(parse_scenario(text), "Y002")


def test_billion_laughs(tmp_path):
    lines = ['lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"l{i}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused(load_scenario(path), "Y003")


def test_quadratic_blowup_with_one_alias_per_key(tmp_path):
    # A wide list aliased many times: each alias is cheap to parse but expands a lot.
    wide = "[" + ", ".join(["x"] * 5000) + "]"
    text = f"a: &w {wide}\n" + "".join(f"k{i}: *w\n" for i in range(100))
    refused(parse_scenario(text), "Y003")


def test_latin_1_bytes(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(TEMPLATE.replace("Sam", "Séverine").encode("latin-1"))
    loaded = load_scenario(path)
    refused(loaded, "Y011")
    line = TEMPLATE[: TEMPLATE.index("name: Sam")].count("\n") + 1
    assert loaded.diagnostics[0].position.line == line
    assert loaded.diagnostics[0].position.column == len("  name: S") + 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be-bom", "utf-8-sig"])
def test_utf_16_and_utf_8_with_a_bom_load(encoding, tmp_path):
    text = TEMPLATE.replace("Sam", "Sâm 山姆")
    raw = ("\ufeff" + text).encode("utf-16-be") if encoding == "utf-16-be-bom" else text.encode(encoding)
    path = tmp_path / "bom.yaml"
    path.write_bytes(raw)
    loaded = load_scenario(path)
    assert loaded.ok and loaded.diagnostics == []
    assert loaded.scenario.persona.name == "Sâm 山姆"


@pytest.mark.parametrize(("encoding", "name"), [("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                              ("utf-32", "UTF-32"), ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32")])
def test_wide_encodings_are_named_not_called_binary(encoding, name, tmp_path):
    # UTF-32 with a BOM had been read as UTF-16 (its BOM starts the same) and misreported.
    path = tmp_path / "wide.yaml"
    path.write_bytes(TEMPLATE.encode(encoding))
    loaded = load_scenario(path)
    refused(loaded, "Y011")
    assert f"the file is {name} text" in loaded.diagnostics[0].message


def test_control_characters_in_text():
    loaded = parse_scenario(TEMPLATE.replace("Sam", "S\x07m"))
    assert codes_of(loaded) == ["Y001"]


def test_a_scenario_of_5000_nodes_loads_without_error(tmp_path):
    count = 5000
    head = TEMPLATE[: TEMPLATE.index("start: opening")]
    nodes = []
    for i in range(count - 1):
        nodes.append(
            f'  n{i}:\n    client: "Line {i}"\n    talk: neutral\n    responses:\n'
            f"      - when: {{skills: [simple_reflection]}}\n        effects: {{add: {{rapport: 1}}}}\n"
            f"        goto: n{i + 1}\n      - goto: n{(i + 1) if i % 50 else count - 1}\n"
            f"    exemplars: [{{text: You feel it., codes: [simple_reflection], why: Reflects.}},\n"
            f"                {{text: What else?, codes: [open_question], why: Opens.}},\n"
            f"                {{text: You came., codes: [affirmation], why: Affirms.}}]\n"
        )
    nodes.append(
        f"  n{count - 1}:\n    client: Bye.\n    talk: neutral\n    ending: {{outcome: done, debrief: Done.}}\n"
    )
    path = tmp_path / "big.yaml"
    path.write_text(head + "start: n0\n\nnodes:\n" + "".join(nodes), encoding="utf-8")
    loaded = load_scenario(path)
    assert loaded.ok and loaded.diagnostics == [], [str(d) for d in loaded.diagnostics[:5]]
    assert len(loaded.scenario.nodes) == count


def test_long_lines_and_huge_scalars_load(tmp_path):
    text = edit(
        TEMPLATE,
        'background: "A few sentences the trainee reads before starting."',
        "background: " + "word " * 3000,
    )
    assert parse_scenario(text).ok
    too_long = edit(
        TEMPLATE,
        'background: "A few sentences the trainee reads before starting."',
        "background: " + "x" * 25_000,
    )
    assert codes_of(parse_scenario(too_long)) == ["S003"]
