"""The transformer encoder run in numpy: tokenising, input budget, file checks, and the
forward pass against the scores PyTorch computed at training time."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from mitrainer.codes import Speaker
from mitrainer.coding.base import Utterance
from mitrainer.coding.encoder import (
    CODING_BUDGET,
    ENCODER_PATH,
    MAX_POSITIONS,
    Encoder,
    WordPiece,
    basic_words,
    encoder_inputs,
)
from mitrainer.coding.model import TrainedCoder
from mitrainer.errors import ModelFileError


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder.load()


def test_basic_words_follow_bert_uncased():
    assert basic_words("Don't WORRY, café!") == ["don", "'", "t", "worry", ",", "cafe", "!"]
    assert basic_words("我想 stop") == ["我", "想", "stop"]
    assert basic_words("tab\there\x00\u200b") == ["tab", "here"]


def test_wordpiece_greedy_longest_match():
    wp = WordPiece(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##want", "##ed", "want", "runn", "##ing"])
    assert [wp.vocab[i] for i in wp.encode("unwanted running")] == ["un", "##want", "##ed", "runn", "##ing"]
    assert wp.encode("xyz") == [wp.unk]  # a word that cannot be spelt is one unknown piece
    assert wp.encode("a" * 150) == [wp.unk]


@pytest.mark.parametrize("speaker", list(Speaker))
def test_inputs_stay_within_budget(encoder, speaker):
    budget = CODING_BUDGET[speaker]
    long = "word " * 500
    context = [Utterance(Speaker.CLIENT, long), Utterance(Speaker.COUNSELLOR, long)]
    ids, segments = encoder_inputs(encoder.tokenizer, long, context, speaker)
    assert len(ids) == len(segments) == budget.tokens <= MAX_POSITIONS
    assert segments.count(1) == budget.utterance + 1  # the utterance keeps its share
    ids, segments = encoder_inputs(encoder.tokenizer, "Hi.", (), speaker)
    assert segments == [0, 0] + [1] * (len(ids) - 2)


def test_client_lines_read_further_back_than_responses(encoder):
    """Change or sustain talk depends on the conversation; a response is coded in a hurry."""
    lines = [Utterance(Speaker.CLIENT if i % 2 else Speaker.COUNSELLOR, f"line {i}") for i in range(6)]
    _, client = encoder_inputs(encoder.tokenizer, "Yes.", lines, Speaker.CLIENT)
    _, response = encoder_inputs(encoder.tokenizer, "Yes.", lines, Speaker.COUNSELLOR)
    assert client.count(0) > response.count(0) > 2  # segment 0: [CLS], earlier lines, [SEP]


def test_numpy_forward_matches_pytorch(encoder):
    """The file carries inputs and the scores PyTorch gave for them with these weights."""
    with np.load(ENCODER_PATH, allow_pickle=False) as data:
        ids, segs, expected = data["check_ids"], data["check_segments"], data["check_scores"]
    assert len(expected) >= 4
    for row_ids, row_segs, want in zip(ids, segs, expected, strict=True):
        n = int((row_ids >= 0).sum())
        got = encoder.forward(row_ids[:n].tolist(), row_segs[:n].tolist())
        np.testing.assert_allclose(got, want, atol=2e-3, rtol=1e-3)


def test_encoder_changes_the_coders_probabilities(encoder):
    """The shipped coder mixes both models: its probabilities differ from the linear ones alone."""
    both = TrainedCoder()
    linear = TrainedCoder(model=both.model, encoder=None)
    context = (Utterance(Speaker.CLIENT, "The daily trips to the clinic wear me out."),)
    p_both = both.response_probabilities("The trips wear you out.", context)["family"]
    p_lin = linear.response_probabilities("The trips wear you out.", context)["family"]
    assert abs(sum(p_both.values()) - 1) < 1e-6
    assert max(abs(p_both[k] - p_lin[k]) for k in p_lin) > 1e-4


def test_missing_encoder_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        Encoder.load(tmp_path / "nope.npz")


@pytest.mark.parametrize("damage", ["truncate", "drop_array", "bad_shape", "short_positions", "nan"])
def test_damaged_encoder_file_is_a_clear_error(tmp_path, damage):
    path = tmp_path / "enc.npz"
    if damage == "truncate":
        shutil.copy(ENCODER_PATH, path)
        path.write_bytes(path.read_bytes()[:5000])
    else:
        with np.load(ENCODER_PATH, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        if damage == "drop_array":
            del arrays["q:l0.ff1_w"]
        elif damage == "bad_shape":
            arrays["f:head_b"] = arrays["f:head_b"][:3]
        elif damage == "short_positions":  # an older file, made for shorter inputs
            arrays["f:position"] = arrays["f:position"][:MAX_POSITIONS - 1]
        else:
            arrays["f:l0.out_b"] = np.full_like(arrays["f:l0.out_b"], np.nan)
        np.savez(path, **arrays)
    with pytest.raises(ModelFileError):
        Encoder.load(path)


@pytest.mark.parametrize("threshold", [0.03, 0.2, 0.45])
def test_could_doubt_is_an_exact_bound(threshold):
    """Skipping the transformer for the talk-label check never hides a doubt it would raise."""
    from mitrainer.codes import TalkType

    coder = TrainedCoder()
    lines = ["I want to stop using.", "I'm not going back to that clinic.", "It was a Tuesday.",
             "I could try going twice a week.", "Nothing works for me, never has.", "My daughter is seven."]
    skipped = 0
    for line in lines:
        for talk in (TalkType.CHANGE, TalkType.SUSTAIN, TalkType.NEUTRAL):
            if not coder.could_doubt(line, talk, threshold):
                skipped += 1
                assert coder.code_client(line).score_of(talk) > threshold
    if threshold <= 0.03:
        assert skipped  # at the validator's threshold the bound does rule lines out
