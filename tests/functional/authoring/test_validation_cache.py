"""The talk-label check's verdicts are remembered by content hash (JSON, 0600) between runs."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from mitrainer.cache import ResultCache, cache_dir, content_key
from mitrainer.cli import main
from mitrainer.codes import Direction, SkillCode, TalkType
from mitrainer.coding.base import ClientCoding, ResponseCoding
from mitrainer.scenario.load import load_scenario
from mitrainer.scenario.talk_check import check_talk_labels
from mitrainer.scenario.template import render


class CountingCoder:
    """Reads every line as neutral talk, very sure; counts the lines it was asked about."""

    name = "counting"

    def __init__(self) -> None:
        self.lines: list[str] = []

    def code_client(self, text, context=()):
        self.lines.append(text)
        return ClientCoding(talk=TalkType.NEUTRAL, confidence=0.99,
                            scores={"neutral": 0.99, "change": 0.005, "sustain": 0.005})

    def code_response(self, text, context=(), sides=None):
        # The stated-direction check (S113) reads the template's one exemplar that states a
        # side ("What made you decide to come anyway?", change); agree with it.
        return ResponseCoding.manual(SkillCode.OPEN_QUESTION, direction=Direction.CHANGE)


@pytest.fixture
def scenario_file(tmp_path) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(render("demo"), encoding="utf-8")
    return path


def test_results_survive_a_restart_as_private_json(tmp_path):
    cache = ResultCache("demo", "v1", tmp_path / "c")
    cache.put(content_key("a", "b"), ["sustain", 0.9])
    cache.save()
    path = tmp_path / "c" / "demo.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text(encoding="utf-8"))["entries"]  # plain JSON, not pickle
    again = ResultCache("demo", "v1", tmp_path / "c")
    assert again.get(content_key("a", "b")) == ["sustain", 0.9]
    assert ResultCache("demo", "v2", tmp_path / "c").get(content_key("a", "b")) is None  # another coder


def test_keys_keep_their_parts_apart():
    assert content_key("ab", "c") != content_key("a", "bc")


@pytest.mark.parametrize("content", [b"{not json", b"\x80\x81", b'{"format": "other", "entries": {"k": 1}}',
                                     b'["a list"]'])
def test_a_damaged_cache_is_ignored(tmp_path, content):
    (tmp_path / "demo.json").write_bytes(content)
    cache = ResultCache("demo", "v1", tmp_path)
    assert cache.get("k") is None
    cache.put("k", 1)
    cache.save()
    assert ResultCache("demo", "v1", tmp_path).get("k") == 1


def test_an_unwritable_cache_is_no_failure(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = ResultCache("demo", "v1", blocker / "sub")
    cache.put("k", 1)
    cache.save()  # no exception: the cache only ever makes a run faster


def test_a_second_run_asks_the_coder_nothing(scenario_file, tmp_path):
    loaded = load_scenario(scenario_file)
    coder = CountingCoder()
    cache = ResultCache("talk", "v1", tmp_path / "c")
    first = check_talk_labels(loaded.scenario, loaded.positions, "demo.yaml", coder, cache=cache)
    assert coder.lines and first  # the template's change and sustain lines read as neutral: S112
    cache.save()

    def no_coder():
        raise AssertionError("the coder was loaded although every verdict was remembered")

    again = check_talk_labels(loaded.scenario, loaded.positions, "demo.yaml", no_coder,
                              cache=ResultCache("talk", "v1", tmp_path / "c"))
    assert again == first


def test_only_a_changed_line_is_coded_again(scenario_file, tmp_path):
    cache = ResultCache("talk", "v1", tmp_path / "c")
    loaded = load_scenario(scenario_file)
    check_talk_labels(loaded.scenario, loaded.positions, "demo.yaml", CountingCoder(), cache=cache)
    scenario_file.write_text(scenario_file.read_text(encoding="utf-8").replace(
        "I guess I do want things to be calmer at home.", "I suppose I want things calmer at home."), encoding="utf-8")
    loaded = load_scenario(scenario_file)
    coder = CountingCoder()
    check_talk_labels(loaded.scenario, loaded.positions, "demo.yaml", coder, cache=cache)
    assert coder.lines == ["I suppose I want things calmer at home."]


def test_validate_keeps_its_verdicts_in_the_cache_folder(scenario_file, monkeypatch, capsys):
    from mitrainer.cli import authoring

    calls = []

    def counting():
        calls.append(1)
        return CountingCoder()

    monkeypatch.setattr(authoring, "_coder_if_available", counting)
    assert main(["validate", str(scenario_file)]) == 0
    first = capsys.readouterr().out
    assert calls and "S112" in first
    saved = cache_dir() / "talk-labels.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    calls.clear()
    assert main(["validate", str(scenario_file)]) == 0
    assert calls == [] and capsys.readouterr().out == first
