"""Cross-validate the Vietnamese or Chinese coder on its training examples.

``python -m mitrainer_training.evaluate_languages --language vi [--folds 5] [--repeats 2]``

Stratified k-fold over the separate authors' examples (``examples-LANG.csv``): each fold
fits a model on the other folds — plus every line of the developer's own examples
(``examples-LANG-more.csv``) and of the bundled scenarios' exemplars, which are never scored
here — and codes the held-out fold through
:class:`~mitrainer.coding.languages.model.LanguageCoder` as the app does (int8 weights, the
rules after the model). Reports the primary-code accuracy and per-code recall, direction
accuracy, client talk and DARN-CAT accuracy; the same lines typed without diacritics
(Vietnamese) or without final punctuation (Chinese); and the same lines with two earlier
client lines before them, as in a session.

``--across`` fits on the authors' examples only and codes the developer's (another hand);
``--scenarios`` codes the scenarios' exemplars (a third hand), k-fold by scenario file.

These are the figures to tune against; the held-out files (``tests/coding/data/held-out-*.csv``)
are measured once, with ``python -m mitrainer_training.evaluate --lines FILE``.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from mitrainer.codes import SkillCode, Speaker
from mitrainer.coding.base import Utterance
from mitrainer.coding.languages.features import LanguageFeaturizer
from mitrainer.coding.languages.model import LanguageCoder
from mitrainer_training.languages import (
    BITS,
    SEED,
    C,
    LineExample,
    direction_path,
    example_paths,
    fit_language,
    load_language_examples,
    load_scenario_examples,
    without_marks,
)


def folds_of(examples: Sequence[LineExample], k: int, seed: int) -> list[list[int]]:
    """Stratified folds (by code, or talk type for client lines) of the examples' indices."""
    by_label: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        key = ex.code.value if ex.code else f"talk:{ex.talk.value if ex.talk else ''}"
        by_label.setdefault(key, []).append(i)
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for key in sorted(by_label):
        idx = by_label[key]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            folds[(j + offset) % k].append(i)
        offset += len(idx)
    return folds


class Tally:
    """Gold and coded labels of one measure."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []
        self.wrong: list[tuple[str, str, LineExample]] = []

    def add(self, gold: str, coded: str | None, example: LineExample | None = None) -> None:
        self.pairs.append((gold, coded or "uncoded"))
        if example is not None and gold != coded:
            self.wrong.append((gold, coded or "uncoded", example))

    @property
    def accuracy(self) -> float:
        return sum(g == c for g, c in self.pairs) / max(1, len(self.pairs))

    def line(self) -> str:
        right = sum(g == c for g, c in self.pairs)
        return f"{self.accuracy:.3f} ({right}/{len(self.pairs)})"

    def recall(self) -> dict[str, tuple[int, int]]:
        n = Counter(g for g, _ in self.pairs)
        ok = Counter(g for g, c in self.pairs if g == c)
        return {g: (ok[g], n[g]) for g in sorted(n)}

    def confusions(self, top: int = 12) -> list[tuple[tuple[str, str], int]]:
        return Counter((g, c) for g, c in self.pairs if g != c).most_common(top)


def with_two_earlier(ex: LineExample, pool: Sequence[str], rng: random.Random) -> LineExample:
    """The line with two earlier client lines of other examples before its context."""
    if ex.speaker is not Speaker.COUNSELLOR or len(ex.context) != 1:
        return ex
    earlier = tuple(Utterance(Speaker.CLIENT, line) for line in rng.sample(list(pool), 2))
    return replace(ex, context=(*earlier, *ex.context))


class RememberingFeaturizer(LanguageFeaturizer):
    """A featurizer that computes each line's features once (the folds share most lines)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._seen: dict[tuple, tuple[list[int], list[float]]] = {}

    def transform(self, text, context, speaker, sides=None):
        key = (text, tuple(context), speaker, sides)
        if key not in self._seen:
            self._seen[key] = super().transform(text, context, speaker, sides)
        return self._seen[key]


def cross_validate(language: str, folds: int = 5, repeats: int = 1, seed: int = SEED, c: float = C,
                   groups: Sequence[str] | None = None, augment: bool = True, verbose: bool = True) -> dict[str, Tally]:
    """Pooled predictions of ``repeats`` × ``folds`` cross-validation on the authors' examples."""
    paths = example_paths(language)
    authors = load_language_examples(language, paths[:1])
    developer = load_language_examples(language, paths[1:]) if len(paths) > 1 else []
    developer += load_scenario_examples(language)  # never scored here, always in training
    pool = [ex.context[-1].text for ex in authors if ex.speaker is Speaker.COUNSELLOR and ex.context]
    tallies = {name: Tally() for name in ("code", "code plain", "code plain-typed", "code in session",
                                          "direction", "direction plain", "talk", "subtype")}
    featurizer = RememberingFeaturizer(language, BITS, groups)
    for r in range(repeats):
        rng = random.Random(seed + r)
        for k, test in enumerate(folds_of(authors, folds, seed + r)):
            held = set(test)
            train = [ex for i, ex in enumerate(authors) if i not in held] + developer
            coder = LanguageCoder(language, fit_language(train, language, seed=seed, c=c, augment=augment,
                                                         featurizer=featurizer).shipped())
            for i in test:
                ex = authors[i]
                plain_ex = without_marks(ex, language)
                if ex.speaker is Speaker.COUNSELLOR:
                    coded = coder.code_response(ex.text, ex.context)
                    tallies["code"].add(ex.code.value, coded.primary and coded.primary.value, ex)
                    if plain_ex.text == ex.text:
                        tallies["code plain-typed"].add(ex.code.value, coded.primary and coded.primary.value)
                    plain = coder.code_response(plain_ex.text, plain_ex.context)
                    tallies["code plain"].add(ex.code.value, plain.primary and plain.primary.value)
                    session_ex = with_two_earlier(ex, [p for p in pool if ex.context and p != ex.context[-1].text], rng)
                    in_session = coder.code_response(session_ex.text, session_ex.context)
                    tallies["code in session"].add(ex.code.value, in_session.primary and in_session.primary.value)
                    if ex.direction is not None:
                        tallies["direction"].add(ex.direction.value, coded.direction and coded.direction.value, ex)
                        tallies["direction plain"].add(ex.direction.value, plain.direction and plain.direction.value)
                else:
                    coded_c = coder.code_client(ex.text, ex.context)
                    tallies["talk"].add(ex.talk.value, coded_c.talk and coded_c.talk.value)
                    if ex.subtype is not None and coded_c.talk is ex.talk:
                        tallies["subtype"].add(ex.subtype.value, coded_c.subtype and coded_c.subtype.value)
            if verbose:
                print(f"  repeat {r + 1} fold {k + 1}: code {tallies['code'].line()}", flush=True)
    return tallies


def across_authors(language: str, seed: int = SEED, c: float = C, augment: bool = True) -> dict[str, Tally]:
    """Fit on the separate authors' examples only and code the developer's: a second author's
    lines, as the held-out files are."""
    paths = example_paths(language)
    if len(paths) < 2:
        raise SystemExit(f"no developer's examples for {language} to code")
    authors = load_language_examples(language, paths[:1])
    developer = load_language_examples(language, paths[1:])
    coder = LanguageCoder(language, fit_language(authors, language, seed=seed, c=c, augment=augment).shipped())
    tallies = {name: Tally() for name in ("code", "code plain", "code plain-typed", "code in session",
                                          "direction", "direction plain", "talk", "subtype")}
    for ex in developer:
        plain_ex = without_marks(ex, language)
        if ex.speaker is Speaker.COUNSELLOR:
            coded = coder.code_response(ex.text, ex.context)
            tallies["code"].add(ex.code.value, coded.primary and coded.primary.value, ex)
            plain = coder.code_response(plain_ex.text, plain_ex.context)
            tallies["code plain"].add(ex.code.value, plain.primary and plain.primary.value)
            if ex.direction is not None:
                tallies["direction"].add(ex.direction.value, coded.direction and coded.direction.value, ex)
        else:
            coded_c = coder.code_client(ex.text, ex.context)
            tallies["talk"].add(ex.talk.value, coded_c.talk and coded_c.talk.value)
            if ex.subtype is not None and coded_c.talk is ex.talk:
                tallies["subtype"].add(ex.subtype.value, coded_c.subtype and coded_c.subtype.value)
    return tallies


def on_scenarios(language: str, seed: int = SEED, c: float = C, folds: int = 5) -> str:
    """Agreement with the bundled scenarios' exemplars and distractors, k-fold *by scenario file*:
    each fold fits on the examples files and the other files' exemplars and codes the held-out
    files (their authors are a third hand; the committed model learns from all of them)."""
    from mitrainer_training.exemplars import Agreement, code_cases, load_exemplar_cases, render_report

    cases = load_exemplar_cases(language=language)
    scenario_examples = load_scenario_examples(language)
    examples = load_language_examples(language)
    files = sorted({case.file for case in cases})
    random.Random(seed).shuffle(files)
    folds = max(1, min(folds, len(files)))
    results = []
    for k in range(folds):
        held = set(files[k::folds])
        train = examples + [ex for ex in scenario_examples if ex.source.removeprefix("scenario:") not in held]
        coder = LanguageCoder(language, fit_language(train, language, seed=seed, c=c).shipped())
        results += code_cases(coder, [case for case in cases if case.file in held])
    return render_report(Agreement(results),
                         f"{language}: {len(cases)} exemplars and distractors of {len(files)} bundled scenario files, "
                         f"{folds}-fold by file (a case agrees when the primary code is a stated one)")


def on_direction_set(language: str, folds: int = 5, seed: int = SEED, c: float = C,
                     groups: Sequence[str] | None = None, committed: bool = False) -> dict[str, Tally]:
    """Direction on the developer's direction set (``examples-LANG-direction.csv``: each
    ambivalent client line answered for change, for sustain and neutrally), k-fold *by client
    line*, every other example always in training; or, with ``committed``, the committed
    model on the whole set (which it never saw unless it was trained with it)."""
    triples = load_language_examples(language, [direction_path(language)])
    others = [ex for path in example_paths(language) if path != direction_path(language)
              for ex in load_language_examples(language, [path])] + load_scenario_examples(language)
    lines = sorted({ex.context[-1].text for ex in triples})
    random.Random(seed).shuffle(lines)
    tallies = {name: Tally() for name in ("direction", "direction plain", "code")}
    featurizer = RememberingFeaturizer(language, BITS, groups)
    for k in range(1 if committed else folds):
        held = set(lines) if committed else set(lines[k::folds])
        test = [ex for ex in triples if ex.context[-1].text in held]
        if committed:
            coder = LanguageCoder(language)
        else:
            train = [ex for ex in triples if ex.context[-1].text not in held] + others
            coder = LanguageCoder(language, fit_language(train, language, seed=seed, c=c,
                                                         featurizer=featurizer).shipped())
        for ex in test:
            coded = coder.code_response(ex.text, ex.context)
            plain_ex = without_marks(ex, language)
            plain = coder.code_response(plain_ex.text, plain_ex.context)
            tallies["code"].add(ex.code.value, coded.primary and coded.primary.value)
            tallies["direction"].add(ex.direction.value, coded.direction and coded.direction.value, ex)
            tallies["direction plain"].add(ex.direction.value, plain.direction and plain.direction.value)
    return tallies


def on_stated_directions(language: str, model: str | None = None) -> dict[str, Tally]:
    """The committed model (or the file ``model``) on the directions the bundled scenarios'
    exemplars and distractors state, each read after its node's client line and marked
    ``sides:``, as the validator's S113 reads English ones. Never trained on."""
    from mitrainer.coding.base import ClientSides
    from mitrainer.paths import bundled_scenarios
    from mitrainer.scenario.load import load_for_play

    coder = LanguageCoder(language, path=model)
    tallies = {"stated direction": Tally(), "where sides are marked": Tally()}
    for path in sorted(bundled_scenarios().glob("*.yaml")):
        scenario = load_for_play(str(path), [])
        if scenario.language.split("-")[0] != language:
            continue
        for node in scenario.nodes.values():
            sides = ClientSides(node.sides.change, node.sides.sustain) if node.sides is not None else None
            context = (Utterance(Speaker.CLIENT, node.client),)
            for item in (*node.exemplars, *node.distractors):
                if item.direction is None:
                    continue
                judged = coder.code_response(item.text, context, sides).direction
                tallies["stated direction"].add(item.direction.value, judged and judged.value)
                if sides:
                    tallies["where sides are marked"].add(item.direction.value, judged and judged.value)
    return tallies


def report(language: str, tallies: dict[str, Tally], title: str) -> None:
    print(f"\n## {title}\n")
    for name, tally in tallies.items():
        if tally.pairs:
            print(f"{name:<18} {tally.line()}")
    print("\nper-code recall:")
    for code in SkillCode:
        ok, n = tally_get(tallies["code"], code.value)
        ok_p, n_p = tally_get(tallies["code plain"], code.value)
        print(f"  {code.value:<26} {ok / max(1, n):.2f} ({ok}/{n})   plain {ok_p / max(1, n_p):.2f}")
    print("\ncommonest confusions (gold → coded):")
    for (gold, coded), n in tallies["code"].confusions():
        print(f"  {gold} → {coded}: {n}")
    print("direction confusions:", tallies["direction"].confusions(6))


def tally_get(tally: Tally, key: str) -> tuple[int, int]:
    return tally.recall().get(key, (0, 0))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mitrainer_training.evaluate_languages",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--language", choices=("vi", "zh"), required=True)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--c", type=float, default=C, help="inverse regularisation strength")
    ap.add_argument("--groups", help="feature groups to use, comma-separated (default: all)")
    ap.add_argument("--no-augment", action="store_true", help="train without the plain and session copies")
    ap.add_argument("--errors", choices=("code", "direction"), help="list every line coded wrong on this measure")
    ap.add_argument("--across", action="store_true",
                    help="instead: fit on the authors' examples only and code the developer's")
    ap.add_argument("--scenarios", action="store_true",
                    help="instead: code the bundled scenarios' exemplars, k-fold by scenario file")
    ap.add_argument("--direction-set", action="store_true",
                    help="instead: direction on the developer's direction set, k-fold by client line")
    ap.add_argument("--committed", action="store_true",
                    help="with --direction-set: code the whole set with the committed model")
    ap.add_argument("--stated", action="store_true",
                    help="instead: the directions the bundled scenarios state, coded by the committed model")
    ap.add_argument("--model", metavar="FILE", help="with --stated: this model file instead of the committed one")
    args = ap.parse_args(argv)
    groups = args.groups.split(",") if args.groups else None
    if args.scenarios:
        print(on_scenarios(args.language, args.seed, args.c, args.folds))
        return 0
    if args.stated:
        tallies = on_stated_directions(args.language, args.model)
        print(f"\n## {args.language}: directions stated in the bundled scenarios\n")
        for name, tally in tallies.items():
            print(f"{name:<24} {tally.line()}")
        print("confusions (stated → judged):", tallies["stated direction"].confusions(6))
        return 0
    if args.direction_set:
        tallies = on_direction_set(args.language, args.folds, args.seed, args.c, groups, args.committed)
        print(f"\n## {args.language}: the direction set, "
              f"{'committed model' if args.committed else f'{args.folds}-fold by client line'}\n")
        for name, tally in tallies.items():
            print(f"{name:<18} {tally.line()}")
        print("direction confusions:", tallies["direction"].confusions(6))
        return 0
    if args.across:
        tallies = across_authors(args.language, args.seed, args.c, augment=not args.no_augment)
        report(args.language, tallies, f"{args.language}: fitted on the authors' examples, coding the developer's")
    else:
        tallies = cross_validate(args.language, args.folds, args.repeats, args.seed, args.c, groups,
                                 augment=not args.no_augment)
        report(args.language, tallies, f"{args.language}: {args.repeats} × {args.folds}-fold cross-validation "
               f"on the authors' examples (C={args.c}, groups {args.groups or 'all'})")
    if args.errors:
        print(f"\n{args.errors} errors (gold → coded | client line | response):")
        for gold, coded, ex in sorted(tallies[args.errors].wrong, key=lambda w: (w[0], w[1])):
            client = ex.context[-1].text if ex.context else ""
            print(f"  {gold} → {coded} | {client[:70]} | {ex.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
