"""Group review: review files, kappa arithmetic (via scoring.agreement), the CLI and the screen."""

from __future__ import annotations

import asyncio
import json
import stat

import pytest

from mitrainer.cli import main
from mitrainer.codes import SkillCode as C
from mitrainer.export.bundles import bundle_text, make_bundle
from mitrainer.export.review import (
    Review,
    ReviewError,
    agreement,
    load_review,
    parse_codes,
    review_path,
    save_review,
    stored_review_path,
)
from mitrainer.scoring.agreement import cohen_kappa


@pytest.fixture
def review(record) -> Review:
    """Mai re-codes every turn; Wei the first three (the machine coded CR, OQ, PER, CR+EA, SUM)."""
    review = Review(record.session_id)
    for turn, code in enumerate([C.COMPLEX_REFLECTION, C.OPEN_QUESTION, C.PERSUADE, C.SIMPLE_REFLECTION, C.SUMMARY]):
        review.set_codes("Mai", turn, [code])
    for turn, code in enumerate([C.SIMPLE_REFLECTION, C.OPEN_QUESTION, C.GIVING_INFORMATION]):
        review.set_codes("Wei", turn, [code])
    return review


def test_kappa_worked_by_hand(record, review):
    summary = agreement(record, review)
    pairs = {(p.first, p.second): p.report for p in summary.pairs}
    mai = pairs[("Mai", "machine")]
    # Primary codes agree on 4 of 5 turns; chance agreement 5/25 → (0.8 − 0.2) / 0.8.
    assert mai.utterances == 5 and mai.percent == pytest.approx(0.8)
    assert mai.kappa == pytest.approx(0.75)
    # "Has CR": Mai 1 of 5 turns, machine 2 of 5, agreeing on 4 → (0.8 − 0.56) / 0.44 = 6/11.
    assert mai.per_code[C.COMPLEX_REFLECTION] == pytest.approx(6 / 11)
    # "Has EA": Mai never, machine once → kappa 0.
    assert mai.per_code[C.EMPHASIZING_AUTONOMY] == pytest.approx(0.0)
    # Human–human on the three turns both coded: 1 of 3 agree, chance 1/9 → 0.25.
    people = pairs[("Mai", "Wei")]
    assert people.utterances == 3 and people.kappa == pytest.approx(0.25)
    assert people.kappa == pytest.approx(cohen_kappa(["CR", "OQ", "PER"], ["SR", "OQ", "GI"]))


def test_identical_coding_throughout_has_undefined_kappa(record):
    review = Review(record.session_id)
    review.set_codes("Mai", 1, [C.OPEN_QUESTION])
    report = agreement(record, review).with_machine[0].report
    assert report.utterances == 1 and report.kappa is None and report.percent == 1.0


def test_review_file_round_trip_is_private(record, review, tmp_path):
    path = tmp_path / "mai.bundle.review.json"
    save_review(path, review)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_review(path, record)
    assert again.codes == review.codes and again.reviewers() == ["Mai", "Wei"]


def test_review_path_sits_next_to_the_bundle(tmp_path):
    assert review_path(tmp_path / "mai.bundle.json") == tmp_path / "mai.bundle.review.json"
    assert review_path(tmp_path / "session") == tmp_path / "session.review.json"


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: {**d, "session_id": "other"}, "another session"),
    (lambda d: {**d, "schema_version": 2}, "unknown review schema"),
    (lambda d: {**d, "format": "x"}, "not a mitrainer review file"),
    (lambda d: {**d, "reviewers": {"Mai": {"codes": {"9": ["CR"]}}}}, "no turn '9'"),
    (lambda d: {**d, "reviewers": {"Mai": {"codes": {"0": ["XX"]}}}}, "unknown code 'XX'"),
])
def test_review_file_errors(record, review, tmp_path, edit, message):
    path = tmp_path / "r.review.json"
    path.write_text(json.dumps(edit(review.to_json())), encoding="utf-8")
    with pytest.raises(ReviewError, match=message):
        load_review(path, record)


def test_parse_codes_and_merge(record, review):
    assert parse_codes("CR, oq;AF") == (C.COMPLEX_REFLECTION, C.OPEN_QUESTION, C.AFFIRMATION)
    with pytest.raises(ReviewError, match="unknown code 'reflektion'"):
        parse_codes("reflektion")
    other = Review(record.session_id)
    other.set_codes("Lan", 0, [C.AFFIRMATION])
    review.merge(other)
    assert review.reviewers() == ["Lan", "Mai", "Wei"]


def test_cli_recode_and_agreement(record, tmp_path, data_dir, capsys):
    bundle = tmp_path / "mai.bundle.json"
    bundle.write_text(bundle_text(make_bundle(record, trainee="Mai")), encoding="utf-8")
    assert main(["review", str(bundle), "--reviewer", "Wei", "--code", "1=CR", "--code", "2=OQ,AF",
                 "--code", "3=GI"]) == 0
    assert (tmp_path / "mai.bundle.review.json").is_file()
    assert main(["review", str(bundle), "--agreement", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    pair = data["pairs"][0]
    assert (pair["first"], pair["second"], pair["utterances"]) == ("Wei", "machine", 3)
    assert pair["kappa"] == pytest.approx(round(cohen_kappa(["CR", "OQ", "GI"], ["CR", "OQ", "PER"]), 4))
    assert main(["review", str(bundle), "--agreement"]) == 0
    out = capsys.readouterr().out
    assert "Wei – machine" in out and "Kappa per code" in out
    assert main(["review", str(bundle), "--reviewer", "Wei", "--code", "9=CR"]) == 2
    assert "turns 1 to 5" in capsys.readouterr().err


def test_review_screen_recodes_and_saves(record, tmp_path):
    from mitrainer.tui.screens.review import ReviewApp, agreement_table

    review_file = tmp_path / "x.review.json"

    async def drive() -> None:
        app = ReviewApp(record, "Mai", review_file, "")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press(*"Lan", "enter")
            await pilot.press("m")  # take the machine's codes for turn 1
            await pilot.press("n", "n")
            await pilot.press("down", "down", "enter")  # tick the third code (simple reflection) on turn 3
            await pilot.press("a")
            await pilot.pause()
            assert not app.screen.query_one("#agreement").has_class("hidden")

    asyncio.run(drive())
    saved = load_review(review_file, record)
    assert saved.codes["Lan"] == {0: (C.COMPLEX_REFLECTION,), 2: (C.SIMPLE_REFLECTION,)}
    assert record.turns[0].coding.primary is C.COMPLEX_REFLECTION  # the session is never changed
    table = agreement_table(record, saved)
    assert [c.header for c in table.columns] == ["Code", "Lan–machine (2)"]


@pytest.mark.parametrize("session_id", ["../../etc/passwd", "a/b", "", "x" * 200, "..", "c:\\evil"])
def test_a_stored_review_never_leaves_its_folder(tmp_path, session_id):
    """An imported bundle's session id can be anything: the review file name is then a hash."""
    path = stored_review_path(session_id, tmp_path)
    assert path.parent == tmp_path and path.name.endswith(".review.json")
    assert session_id not in path.name or not session_id
    assert stored_review_path("f120c2f1e4644d8e", tmp_path).name == "f120c2f1e4644d8e.review.json"


def test_machine_codes_below_the_counting_threshold_are_not_the_machines_in_kappa(record):
    from mitrainer.coding.base import CodeScore, ResponseCoding

    # The machine shows "Closed question 0.43" beside its open question on turn 2: shown, not counted.
    shown = ResponseCoding(primary=C.OPEN_QUESTION, codes=(CodeScore(code=C.OPEN_QUESTION, confidence=0.9),
                                                           CodeScore(code=C.AFFIRMATION, confidence=0.43)))
    turns = list(record.turns)
    turns[1] = turns[1].model_copy(update={"coding": shown})
    record = record.model_copy(update={"turns": turns})
    review = Review(record.session_id)
    review.set_codes("Mai", 1, [C.OPEN_QUESTION])
    review.set_codes("Mai", 0, [C.AFFIRMATION])
    report = agreement(record, review).with_machine[0].report
    # Counted, the machine never gave AF: Mai's one AF is the only use.
    assert report.used[C.AFFIRMATION] == (1, 0)
