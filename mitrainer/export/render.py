"""Rendering reports with Jinja2 templates an instructor can override.

Templates are looked up, first match wins, in: a folder given with ``--templates DIR``,
then the bundled ``mitrainer/templates/``. An instructor brands or translates a report by
copying one bundled file to a folder of their own, editing it and naming the folder with
``--templates`` (a template is never picked up without being asked for).

Words: every template is given ``t``, the catalogs' ``report.*`` messages in the report's
language (a session's is its scenario's; a portfolio's or group report's the interface's),
with ``t.band`` and ``t.talk`` naming bands and talk types, and ``lang``, the language's
code. The ``fill`` filter puts values into a message's ``{name}`` fields, escaped like any
other value: ``{{ t.turn|fill(number=3) }}``.

Safety: templates receive plain data only and run in a sandbox narrowed to it
(:mod:`mitrainer.export.sandbox`: a shared template file cannot reach into Python or the
file system), HTML templates autoescape everything (a trainee's ``<script>`` is shown as
text), and Markdown templates escape Markdown and inline HTML in every ``{{ value }}``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import traceback
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup, escape

from mitrainer import __version__, i18n
from mitrainer.cjk import is_cjk
from mitrainer.errors import InputError
from mitrainer.export import charts
from mitrainer.export.library import ScenarioIndex
from mitrainer.export.output import output_path, safe_name_part, write_output
from mitrainer.export.sandbox import PlainDataSandbox, plain
from mitrainer.export.view import SessionView, session_view
from mitrainer.record.model import SessionRecord
from mitrainer.scenario.model import Scenario
from mitrainer.scoring.score import Metric, format_value
from mitrainer.text import spreadsheet_safe

BUNDLED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FORMATS = ("md", "html", "json", "csv", "bundle")
TEMPLATE_FORMATS = ("md", "html")
EXTENSIONS = {"md": "md", "html": "html", "json": "json", "csv": "csv", "bundle": "bundle.json"}
LOG_FORMAT = "mitrainer-reflection-log"
LOG_VERSION = 1


class TemplateProblem(InputError):
    """A (user) template could not be loaded or rendered; the message names the file and line."""


# -- escaping --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")
# Only what would start a block: a heading, a list item, a rule or setext underline (a run of - or =).
_MD_LINE_START = re.compile(r"(?m)^(\s*)([#+]|-+|=+\s*$)(?=\s|$|#|=)")
_MD_ORDERED = re.compile(r"(?m)^(\s*\d+)([.)])(?=\s|$)")


_BLANK_RUNS = re.compile(r"\n{3,}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def md_escape(value: object) -> Markup:
    """Text made inert in Markdown: no emphasis, links, headings, lists or inline HTML."""
    if isinstance(value, Markup):
        return value
    text = "" if value is None else str(value)
    text = _MD_SPECIAL.sub(r"\\\1", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _MD_LINE_START.sub(r"\1\\\2", text)
    text = _MD_ORDERED.sub(r"\1\\\2", text)
    return Markup(text.replace("\n", "  \n"))


def md_cell(value: object) -> Markup:
    """Text for a Markdown table cell: escaped, on one line."""
    return Markup(" ".join(md_escape(value).replace("  \n", " ").split()))


def sentence(value: object) -> str:
    """A headline made a sentence: a full stop added when it ends without punctuation ("。"
    after Chinese)."""
    text = "" if value is None else str(value).rstrip()
    if not text or text[-1] in ".!?…。！？:;：；":
        return text
    return text + ("。" if is_cjk(text[-1]) else ".")


_FIELD = re.compile(r"\{([a-z_]+)\}")


def filler(escape_text):
    """The ``fill`` filter of an environment whose values are escaped by ``escape_text``: a
    message's literal parts and the values put into its ``{name}`` fields are escaped apart,
    so a value can never be read as markup and a field's name is never escaped."""

    def fill(message: object, **values: object) -> Markup:
        text = "" if message is None else str(message)
        parts, last = [], 0
        for match in _FIELD.finditer(text):
            name = match.group(1)
            parts += [escape_text(text[last:match.start()]),
                      escape_text(values[name]) if name in values else escape_text(match.group(0))]
            last = match.end()
        parts.append(escape_text(text[last:]))
        return Markup("".join(parts))

    return fill


def report_words(language: str | None) -> dict:
    """The words a report template is given as ``t`` (see the module's docstring): ``report.*``
    messages, those with a further dot nested (``report.trend.pct_open`` is ``t.trend.pct_open``),
    and the band and talk-type names as ``t.band`` and ``t.talk``."""
    words: dict = {}
    for key, text in i18n.words(language, "report.").items():
        group, dot, name = key.partition(".")
        if dot:
            words.setdefault(group, {})[name] = text
        else:
            words[key] = text
    words["band"] = i18n.words(language, "band.")
    words["talk"] = i18n.words(language, "talk.")
    return words


def html_lines(value: object) -> Markup:
    """Text for HTML, escaped, with its line breaks kept."""
    return Markup("<br>\n".join(escape("" if value is None else str(value)).split("\n")))


def show_value(value: float | None, kind: str = "score") -> str:
    """A measure's value as the score tables show it (``kind``: ratio, percent, score, count)."""
    return format_value(kind, value)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


# -- environments ----------------------------------------------------------------------------

def template_dirs(extra: Path | None = None) -> tuple[Path, ...]:
    """The folders searched for templates, first match wins: ``extra`` (``--templates``), then the bundled ones."""
    dirs: list[Path] = []
    if extra is not None:
        extra = Path(extra).expanduser()
        if not extra.is_dir():
            raise InputError(f"--templates {extra}: no such folder")
        dirs.append(extra)
    dirs.append(BUNDLED_TEMPLATES)
    return tuple(dirs)


def metric_bar(metric: dict, bands: dict | None = None, scale: list | tuple | None = None) -> Markup:
    """``charts.metric_bar`` for a template's plain metric (the dict :func:`plain` made of a Metric),
    on the axis ``scale`` (low, high) when given."""
    return charts.metric_bar(Metric(**{f: metric[f] for f in Metric.__dataclass_fields__}), bands,
                             tuple(scale) if scale is not None else None)


# The charts a template may draw; they take plain values and return escaped SVG.
CHARTS = {"metric_bar": metric_bar, "count_bar": charts.count_bar, "talk_strip": charts.talk_strip,
          "trend_chart": charts.trend_chart}


@lru_cache(maxsize=32)
def environment(kind: str, dirs: tuple[Path, ...], language: str = i18n.DEFAULT_LANGUAGE) -> PlainDataSandbox:
    """A sandboxed environment for ``kind`` ("html" or "md") over ``dirs`` with the words of
    ``language`` (cached: templates compile once per language). The words are globals, so
    macros imported without context see them too."""
    loader = ChoiceLoader([FileSystemLoader(str(d)) for d in dirs])
    if kind == "html":
        env = PlainDataSandbox(loader=loader, autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    else:
        env = PlainDataSandbox(loader=loader, autoescape=False, finalize=md_escape, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(md=md_escape, cell=md_cell, lines=html_lines, percent=percent, number=number,
                       sentence=sentence, value=show_value, fill=filler(escape if kind == "html" else md_escape))
    env.globals.update(charts=CHARTS, app_version=__version__, t=report_words(language), lang=language)
    return env


def render_template(kind: str, name: str, context: dict, templates: Path | None = None,
                    language: str | None = None) -> str:
    """Render template ``name`` of ``kind`` with ``context`` (handed over as plain data, see
    :func:`mitrainer.export.sandbox.plain`) and the words of ``language`` (default: the
    interface's); template faults become :class:`TemplateProblem`."""
    language = i18n.normalise_language(language) or i18n.current_language()
    env = environment(kind, template_dirs(templates), language)
    data = {key: plain(value) for key, value in context.items()}
    try:
        text = env.get_template(name).render(**data)
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise TemplateProblem(f"template {where}{f':{line}' if line else ''}: {exc.message or exc}") from None
    except UnicodeDecodeError:
        raise TemplateProblem(f"template {name} (or one it includes) is not UTF-8 text; save it as UTF-8") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
        # An expression that fails on the data ('a' / 2, a missing index …): the template's fault.
        line = next((f.f_lineno for f, _ in traceback.walk_tb(exc.__traceback__)
                     if f.f_code.co_filename.endswith(".j2")), None)
        raise TemplateProblem(f"template {name}{f':{line}' if line else ''}: {type(exc).__name__}: {exc}") from None
    # Markdown templates separate blocks generously; one blank line is all Markdown needs.
    return _BLANK_RUNS.sub("\n\n", text).strip("\n") + "\n" if kind == "md" else text


# -- one session -----------------------------------------------------------------------------

def session_json(view: SessionView) -> str:
    """The reflection log as JSON: the full record, its scores, and the trainee's name."""
    document = {
        "format": LOG_FORMAT,
        "version": LOG_VERSION,
        "trainee": view.trainee,
        "scenario": {"id": view.scenario.id, "title": view.scenario.title, "version": view.scenario.version,
                     "content_hash": view.scenario.content_hash,
                     "persona": view.persona.name if view.persona else None},
        "score": view.score.to_json(),
        "feedback": [
            None if t.feedback is None and not t.branch_note else
            {"verdict": t.feedback.verdict if t.feedback else None,
             "headline": t.feedback.headline if t.feedback else None,
             "rationale": t.feedback.rationale if t.feedback else None, "note": t.branch_note}
            for t in view.turns],
        "record": view.record.to_json(),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# The columns' headings are the catalogs' report.csv.* messages, in the log's language.
CSV_COLUMNS = ("turn", "node", "client", "client_talk", "response", "primary_code", "codes", "uncertain",
               "verdict", "feedback", "branch_note", "next_node")


def session_csv(view: SessionView) -> str:
    """The transcript as CSV, one row per turn (for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    words = i18n.words(view.language, "report.csv.")
    writer.writerow([words[column] for column in CSV_COLUMNS])
    yes = i18n.text_in(view.language, "report.yes")
    for t in view.turns:
        row = (
            str(t.number), t.client.node, t.client.text, t.client.talk, t.response,
            t.primary.code if t.primary else "", ";".join(c.code for c in t.codes if c.counted),
            yes if t.uncertain else "", t.feedback.verdict_label if t.feedback else "",
            t.feedback.headline if t.feedback else "", t.branch_note, t.next_node,
        )
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue()


def render_view(view: SessionView, fmt: str, templates: Path | None = None) -> str:
    """A session view in ``fmt`` ("md", "html", "json" or "csv")."""
    if fmt in TEMPLATE_FORMATS:
        return render_template(fmt, f"session.{fmt}.j2", {"s": view}, templates, view.language)
    if fmt == "json":
        return session_json(view)
    if fmt == "csv":
        return session_csv(view)
    raise InputError(f"unknown export format '{fmt}' (choose from {', '.join(FORMATS)})")


def render_session(record: SessionRecord, fmt: str, *, trainee: str, scenario: Scenario | None = None,
                   scenarios: ScenarioIndex | None = None, templates: Path | None = None,
                   language: str | None = None) -> str:
    """A session record rendered as ``fmt`` (any of :data:`FORMATS`), naming ``trainee`` ("": no name).

    ``scenario`` is the scenario it was played on; when not given it is looked up (id and
    content hash) in ``scenarios`` (default: the bundled library). The name comes from the
    caller, who knows which session database's preferences apply (``--db``). The log is
    written in ``language`` (default: the session's own, its scenario's).
    """
    if fmt == "bundle":
        from mitrainer.export.bundles import bundle_text, make_bundle

        return bundle_text(make_bundle(record, trainee=trainee))
    if scenario is None:
        scenario = (scenarios or ScenarioIndex()).find(record.scenario)
    return render_view(session_view(record, trainee=trainee, scenario=scenario, language=language), fmt, templates)


def default_filename(record: SessionRecord, fmt: str) -> str:
    """``2026-05-01-methadone-retention-1a2b3c4d.html``: date, scenario, session (all made safe)."""
    from mitrainer.export.view import date_of

    # started_at comes from the record (maybe another machine's): only a real date is used.
    day = date_of(record.started_at)
    parts = [day if _ISO_DATE.fullmatch(day) else "", safe_name_part(record.scenario.id, "scenario"),
             safe_name_part(record.session_id[:8])]
    return "-".join(p for p in parts if p) + "." + EXTENSIONS[fmt]


def export_session(record: SessionRecord, fmt: str, path: Path | str | None = None, *, trainee: str,
                   scenario: Scenario | None = None, scenarios: ScenarioIndex | None = None,
                   templates: Path | None = None, force: bool = False) -> Path:
    """Write a session's reflection log (or bundle) and return the file written.

    ``path`` is a file, or a folder to put a dated file in (default: ``data_dir()/exports``).
    The file is created readable by the user only. An existing file is kept unless ``force``.
    This is what the Summary screen's Export action calls.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}' (choose from {', '.join(FORMATS)})")
    target = output_path(Path(path) if path is not None else None, default_filename(record, fmt), force=force)
    text = render_session(record, fmt, trainee=trainee, scenario=scenario, scenarios=scenarios, templates=templates)
    return write_output(target, text)

