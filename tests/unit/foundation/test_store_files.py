"""Private file writes: mode 0600, atomic, and no temporary file left behind."""

from __future__ import annotations

import json
import os
import stat

import pytest

from mitrainer.store import files
from mitrainer.store.files import write_private_json, write_private_text


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_text_is_written_0600_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        target = tmp_path / "reflection.md"
        write_private_text(target, "Ich habe zugehört. 我听了。\n")
    finally:
        os.umask(old)
    assert mode(target) == 0o600
    assert target.read_text(encoding="utf-8") == "Ich habe zugehört. 我听了。\n"
    assert [p.name for p in tmp_path.iterdir()] == ["reflection.md"]


def test_json_round_trips_and_parents_are_created(tmp_path):
    target = tmp_path / "a" / "b" / "session.json"
    data = {"turns": [{"response": "你好", "n": 1}], "ok": True}
    write_private_json(target, data)
    assert json.loads(target.read_text(encoding="utf-8")) == data
    assert "你好" in target.read_text(encoding="utf-8")  # kept readable, not \\u-escaped
    assert mode(target) == 0o600


def test_overwriting_a_readable_file_makes_it_private(tmp_path):
    target = tmp_path / "log.txt"
    target.write_text("old")
    target.chmod(0o644)
    write_private_text(target, "new")
    assert target.read_text() == "new" and mode(target) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["log.txt"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "log.txt"
    write_private_text(target, "precious")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_private_text(target, "half-written")
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["log.txt"]


def test_an_interrupted_write_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "log.txt"

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_private_text(target, "text")
    assert list(tmp_path.iterdir()) == []


def test_writing_onto_a_folder_fails_cleanly(tmp_path):
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError):
        write_private_text(tmp_path / "folder", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["folder"]


def test_a_relative_path_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_private_text("here.txt", "x")
    assert (tmp_path / "here.txt").read_text() == "x" and mode(tmp_path / "here.txt") == 0o600
