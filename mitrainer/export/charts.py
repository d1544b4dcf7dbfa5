"""Inline SVG charts for the HTML reports: no JavaScript, no network, print-friendly.

Each function returns :class:`markupsafe.Markup` (safe to place in an autoescaped
template); every piece of text that goes into an SVG is escaped here. Charts scale with
their container (``viewBox`` and ``width="100%"``) so they read on a phone and print.
Their words (threshold names, talk types) are given by the template, in the report's
language; the English defaults are for callers without a catalog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from mitrainer.scoring import Metric

BAND_COLOURS = {"good": "#2e7d32", "fair": "#b7791f", "below": "#c62828", None: "#607d8b"}
TALK_COLOURS = {"change": "#2e7d32", "sustain": "#d97706", "discord": "#c62828", "neutral": "#b0bec5"}
DEFAULT_BANDS = {"fair": "fair", "good": "good", "below": "below"}
DEFAULT_TALK = {"change": "change", "sustain": "sustain", "discord": "discord", "neutral": "neutral"}


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def metric_range(metric: Metric) -> tuple[float, float]:
    """The axis of a metric's bar: percentages 0–1, global ratings 1–5, others up to their thresholds."""
    if metric.format == "percent":
        return 0.0, 1.0
    if metric.format == "score":
        return 1.0, 5.0
    marks = [v for v in (metric.value, metric.fair, metric.good) if v is not None]
    top = max([*marks, 1.0]) * 1.25
    if metric.format == "count":
        top = max(top, 5.0)
    return 0.0, top


def bar(value: float | None, low: float, high: float, *, colour: str = "#607d8b",
        marks: Sequence[tuple[float, str]] = (), label: str = "") -> Markup:
    """A horizontal bar from ``low`` to ``high`` filled to ``value``, with threshold ticks."""
    width, height = 200.0, 14.0

    def x(v: float) -> float:
        if high <= low:
            return 0.0
        return max(0.0, min(width, (v - low) / (high - low) * width))

    parts = [f'<svg class="bar" viewBox="0 0 {_num(width)} {_num(height)}" width="100%" height="{_num(height)}" '
             f'preserveAspectRatio="none" role="img" aria-label="{escape(label)}">',
             f"<title>{escape(label)}</title>" if label else "",
             f'<rect x="0" y="2" width="{_num(width)}" height="10" rx="2" fill="#eceff1"/>']
    if value is not None:
        parts.append(f'<rect x="0" y="2" width="{_num(x(value))}" height="10" rx="2" fill="{colour}"/>')
    for mark, name in marks:
        parts.append(f'<rect x="{_num(max(0.0, x(mark) - 0.75))}" y="0" width="1.5" height="{_num(height)}" '
                     f'fill="#263238"><title>{escape(name)}</title></rect>')
    parts.append("</svg>")
    return Markup("".join(parts))


def metric_bar(metric: Metric, bands: Mapping[str, str] | None = None,
               scale: Sequence[float] | None = None) -> Markup:
    """A metric's value as a bar in its band's colour, with ticks at the fair and good thresholds
    (named by ``bands``: band → word, e.g. {"fair": "khá", "good": "tốt"}), on the axis
    ``scale`` (low, high) when bars of several people must compare, else the metric's own."""
    low, high = scale if scale is not None else metric_range(metric)
    names = {**DEFAULT_BANDS, **(bands or {})}
    marks = [(t, f"{names[name]} {metric.show(t)}") for t, name in ((metric.fair, "fair"), (metric.good, "good"))
             if t is not None]
    return bar(metric.value, low, high, colour=BAND_COLOURS.get(metric.band, BAND_COLOURS[None]), marks=marks,
               label=f"{metric.label}: {metric.display}")


def count_bar(count: float, most: float, label: str = "") -> Markup:
    """A plain bar for a count out of the largest count shown beside it."""
    return bar(count, 0.0, max(most, 1.0), label=label)


def talk_strip(talks: Sequence[str | None], label: str = "client talk, turn by turn",
               names: Mapping[str, str] | None = None) -> Markup:
    """One square per client line, coloured by talk type: change talk drawn out shows as green.

    ``names`` words each talk type (talk → word) in the squares' tooltips."""
    words = {**DEFAULT_TALK, **(names or {})}
    size, gap = 10, 2
    n = max(len(talks), 1)
    width = n * (size + gap)
    parts = [f'<svg class="strip" viewBox="0 0 {width} {size}" width="{min(width * 1.6, 640):.0f}" '
             f'style="max-width:100%" height="16" role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>']
    for i, talk in enumerate(talks):
        colour = TALK_COLOURS.get(talk or "neutral", TALK_COLOURS["neutral"])
        parts.append(f'<rect x="{i * (size + gap)}" y="0" width="{size}" height="{size}" rx="2" fill="{colour}">'
                     f"<title>{i + 1}: {escape(words.get(talk or 'neutral', talk or ''))}</title></rect>")
    parts.append("</svg>")
    return Markup("".join(parts))


PERSON_COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#4e342e", "#ad1457")


def trend_chart(points: Sequence[tuple[str, float | None]], *, title: str, low: float | None = None,
                high: float | None = None, thresholds: Sequence[tuple[float, str]] = (),
                fmt: str = "score", empty: str = "no values yet", people: Sequence[str] = ()) -> Markup:
    """A line chart of one measure across sessions (oldest left), with threshold lines.

    ``points`` are (label, value) pairs; sessions without a value leave a gap in the line,
    and a chart without any says ``empty``. ``people`` (whose each point is, when several
    people's sessions are drawn) gives one line per person, each in its colour, with a legend.
    """
    width, height, left, right, top, bottom = 420.0, 170.0, 40.0, 8.0, 10.0, 26.0
    values = [v for _, v in points if v is not None]
    marks = [t for t, _ in thresholds]
    lo = low if low is not None else min([0.0, *values, *marks])
    hi = high if high is not None else max([1.0, *values, *marks]) * 1.15
    if hi <= lo:
        hi = lo + 1.0
    n = len(points)

    def px(i: int) -> float:
        return left + (width - left - right) * (i / (n - 1) if n > 1 else 0.5)

    def py(v: float) -> float:
        v = min(max(v, lo), hi)
        return top + (height - top - bottom) * (1 - (v - lo) / (hi - lo))

    def show(v: float) -> str:
        if fmt == "percent":
            return f"{v * 100:.0f}%"
        if fmt == "ratio":
            return f"{v:.1f}:1"
        if fmt == "count":
            return f"{v:.0f}"
        return f"{v:.1f}"

    parts = [f'<svg class="trend" viewBox="0 0 {_num(width)} {_num(height)}" width="100%" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(width - left - right)}" '
             f'height="{_num(height - top - bottom)}" fill="#fafafa" stroke="#cfd8dc"/>']
    for value in (lo, hi):
        parts.append(f'<text x="{_num(left - 4)}" y="{_num(py(value) + 4)}" text-anchor="end" font-size="11" '
                     f'fill="#455a64">{escape(show(value))}</text>')
    for value, name in thresholds:
        y = py(value)
        parts.append(f'<line x1="{_num(left)}" x2="{_num(width - right)}" y1="{_num(y)}" y2="{_num(y)}" '
                     f'stroke="#78909c" stroke-dasharray="4 3"/>'
                     f'<text x="{_num(width - right - 2)}" y="{_num(y - 3)}" text-anchor="end" font-size="10" '
                     f'fill="#546e7a">{escape(name)} {escape(show(value))}</text>')
    owners = list(people) if len(people) == n else [""] * n
    colour_of = {person: PERSON_COLOURS[i % len(PERSON_COLOURS)] for i, person in enumerate(dict.fromkeys(owners))}
    for person, colour in colour_of.items():
        # A person's line joins their own sessions; a session of theirs without a value breaks it.
        segment: list[str] = []
        lines: list[str] = []
        for i, (_, point) in enumerate(points):
            if owners[i] != person:
                continue
            if point is None:
                if len(segment) > 1:
                    lines.append(" ".join(segment))
                segment = []
                continue
            segment.append(f"{_num(px(i))},{_num(py(point))}")
        if len(segment) > 1:
            lines.append(" ".join(segment))
        for line in lines:
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for i, (label, point) in enumerate(points):
        if point is not None:
            whose = f"{owners[i]} · " if owners[i] else ""
            parts.append(f'<circle cx="{_num(px(i))}" cy="{_num(py(point))}" r="3.5" fill="{colour_of[owners[i]]}">'
                         f"<title>{escape(whose)}{escape(label)}: {escape(show(point))}</title></circle>")
    if len(colour_of) > 1:
        for row, (person, colour) in enumerate(colour_of.items()):
            y = top + 12 + row * 13
            parts.append(f'<rect x="{_num(left + 6)}" y="{_num(y - 8)}" width="10" height="3" fill="{colour}"/>'
                         f'<text x="{_num(left + 20)}" y="{_num(y - 3)}" font-size="10" fill="{colour}">'
                         f"{escape(person)}</text>")
    if points:
        parts.append(f'<text x="{_num(left)}" y="{_num(height - 8)}" font-size="11" fill="#455a64">'
                     f"{escape(points[0][0])}</text>")
        if n > 1:
            parts.append(f'<text x="{_num(width - right)}" y="{_num(height - 8)}" text-anchor="end" font-size="11" '
                         f'fill="#455a64">{escape(points[-1][0])}</text>')
    if not values:
        parts.append(f'<text x="{_num(width / 2)}" y="{_num(height / 2)}" text-anchor="middle" font-size="12" '
                     f'fill="#78909c">{escape(empty)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
