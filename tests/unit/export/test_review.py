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
    load_reviews,
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
    assert again.reviewers == review.reviewers and again.names() == ["Mai", "Wei"]
    assert again.created_by == "Mai" and len({r.id for r in again.reviewers}) == 2


def test_review_path_sits_next_to_the_bundle(tmp_path):
    assert review_path(tmp_path / "mai.bundle.json") == tmp_path / "mai.bundle.review.json"
    assert review_path(tmp_path / "session") == tmp_path / "session.review.json"


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: {**d, "session_id": "other"}, "another session"),
    (lambda d: {**d, "schema_version": 3}, "unknown review schema"),
    (lambda d: {**d, "format": "x"}, "not a mitrainer review file"),
    (lambda d: {**d, "reviewers": {"a1": {"name": "Mai", "codes": {"9": ["CR"]}}}}, "no turn '9'"),
    (lambda d: {**d, "reviewers": {"a1": {"name": "Mai", "codes": {"0": ["XX"]}}}}, "unknown code 'XX'"),
    (lambda d: {**d, "reviewers": {"../x": {"name": "Mai", "codes": {}}}}, "not a plain id"),
    (lambda d: {**d, "reviewers": {"a1": {"name": "Mai", "codes": {}, "comments": ["x"]}}}, "comments must be"),
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
    review.merge(other, "Lan's file")
    assert review.names() == ["Lan", "Mai", "Wei"]


@pytest.mark.parametrize("code", list(C))
def test_every_chip_and_name_the_screen_shows_is_a_code(code):
    """The trainer lists each code as its chip and its label: both parse, in any case and language."""
    from mitrainer.codes import SKILLS
    from mitrainer.i18n import catalog, skill_names

    chip, label = SKILLS[code].chip, SKILLS[code].label
    for text in (chip, chip.lower(), chip.title(), label, label.upper(), code.value, code.value.replace("_", "-")):
        assert parse_codes(text) == (code,), text
    for language in ("vi", "zh"):
        assert parse_codes(catalog(language)[f"skill.{code.value}"], skill_names()) == (code,)


def test_an_unknown_code_lists_the_valid_ones():
    with pytest.raises(ReviewError) as caught:
        parse_codes("CR, XYZ")
    message = str(caught.value)
    assert "unknown code 'XYZ'" in message
    assert all(chip in message for chip in ("OQ", "PER", "SC", "EA", "CON", "OT", "PWP", "SUM"))


def _alice_file(record, codes: dict[int, C], owner: str = "") -> Review:
    review = Review(record.session_id)
    if owner:
        review.set_codes(owner, 4, [C.SUMMARY])
    for turn, code in codes.items():
        review.set_codes("Alice", turn, [code])
    return review


def test_two_reviewers_of_one_name_stay_apart(record, tmp_path):
    """Two Alices from two files: two columns, each with her own kappa; never the newer replacing the older."""
    mine = _alice_file(record, {0: C.COMPLEX_REFLECTION, 1: C.OPEN_QUESTION, 2: C.PERSUADE})
    carols = _alice_file(record, {0: C.SIMPLE_REFLECTION}, owner="Carol")
    save_review(tmp_path / "mine.review.json", mine)
    save_review(tmp_path / "carol.review.json", carols)
    merged = load_reviews(tmp_path / "mine.review.json", [tmp_path / "carol.review.json"], record)
    assert merged.names() == ["Alice", "Alice (Carol's file)", "Carol"]
    assert merged.clashes == ["Alice (Carol's file)"]
    pairs = {(p.first, p.second): p.report for p in agreement(record, merged).pairs}
    assert pairs[("Alice", "machine")].utterances == 3 and pairs[("Alice", "machine")].kappa == pytest.approx(1.0)
    assert pairs[("Alice (Carol's file)", "machine")].utterances == 1
    assert pairs[("Alice", "Alice (Carol's file)")].utterances == 1


def test_an_empty_set_under_the_same_name_removes_no_one(record, tmp_path):
    mine = _alice_file(record, {0: C.COMPLEX_REFLECTION, 1: C.OPEN_QUESTION})
    later = Review(record.session_id)
    later.set_codes("Alice", 0, [C.AFFIRMATION])
    later.set_codes("Alice", 0, [])  # she cleared her only code: an empty, newer set
    mine.merge(later, "other.review.json")
    assert [len(r.codes) for _, r in mine.labelled()] == [2, 0]
    assert agreement(record, mine).with_machine[0].report.utterances == 2


def test_the_same_file_twice_counts_once_and_an_edited_copy_is_a_clash(record, tmp_path):
    review = _alice_file(record, {0: C.COMPLEX_REFLECTION})
    path = tmp_path / "a.review.json"
    save_review(path, review)
    twice = load_reviews(path, [path, path], record)
    assert twice.names() == ["Alice"] and not twice.clashes
    copy = load_review(path, record)
    copy.set_codes("Alice", 1, [C.OPEN_QUESTION])  # the same reviewer (same id) went on in a copy
    save_review(tmp_path / "copy.review.json", copy)
    both = load_reviews(path, [tmp_path / "copy.review.json"], record)
    assert both.names() == ["Alice", "Alice (Alice's file)"] and both.clashes == ["Alice (Alice's file)"]


def test_a_version_1_file_is_read_with_stable_ids(record, tmp_path):
    document = {"format": "mitrainer-review", "schema_version": 1, "session_id": record.session_id,
                "reviewers": {"Mai": {"updated_at": "2026-12-01T10:00:00+00:00", "codes": {"0": ["CR"]}}}}
    path = tmp_path / "old.review.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    first, second = load_review(path, record), load_review(path, record)
    assert first.reviewers[0].id == second.reviewers[0].id
    assert first.codes_of("mai") == {0: (C.COMPLEX_REFLECTION,)}
    first.set_codes("Mai", 1, [C.OPEN_QUESTION])
    save_review(path, first)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["schema_version"] == 2 and list(saved["reviewers"]) == [first.reviewers[0].id]


def test_reviewer_names_match_whatever_the_case(record):
    review = Review(record.session_id)
    review.set_codes("Lan", 0, [C.AFFIRMATION])
    review.set_codes("lan", 1, [C.OPEN_QUESTION])
    assert review.names() == ["Lan"] and set(review.codes_of("LAN")) == {0, 1}


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
    assert saved.codes_of("Lan") == {0: (C.COMPLEX_REFLECTION,), 2: (C.SIMPLE_REFLECTION,)}
    assert record.turns[0].coding.primary is C.COMPLEX_REFLECTION  # the session is never changed
    table = agreement_table(record, saved)
    assert [c.header for c in table.columns] == ["Coders", "Turns", "Same primary", "Kappa (primary)", "SR", "CR",
                                                 "PER"]
    # Primary codes CR, SR against the machine's CR, PER: p_o 1/2, p_e 1/4 → kappa 1/3.
    assert [cell for column in table.columns for cell in column.cells][:4] == ["Lan – machine", "2", "50%", "0.33"]


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
