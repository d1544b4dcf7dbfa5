"""A report template cannot act on the machine: one test per escape route (issue #20).

Before, the group report handed ``Bundle.path`` (a ``pathlib.Path``) to templates, and
``{{ (g.members[0].bundle.path.parent / '/tmp/x').write_text('x') }}`` wrote a file.
Templates now receive plain data only and run in a sandbox narrowed to it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.export.bundles import bundle_text, make_bundle, parse_bundle
from mitrainer.export.group import group_report
from mitrainer.export.library import ScenarioIndex
from mitrainer.export.render import TemplateProblem, render_template
from mitrainer.export.sandbox import plain
from tests.sessions import SCENARIOS, STANDARD_RESPONSES, play


@pytest.fixture
def report(scenario, tmp_path):
    path = tmp_path / "bundles" / "An.bundle.json"
    path.parent.mkdir()
    record = play(scenario, STANDARD_RESPONSES)
    path.write_text(bundle_text(make_bundle(record, trainee="")), encoding="utf-8")
    bundle = parse_bundle(make_bundle(record, trainee=""), str(path), path=path)
    return group_report([bundle], ScenarioIndex([SCENARIOS], include_bundled=False))


def render(folder: Path, body: str, report, kind: str = "md") -> str:
    folder.mkdir(exist_ok=True)
    (folder / f"group.{kind}.j2").write_text(body, encoding="utf-8")
    return render_template(kind, f"group.{kind}.j2", {"g": report, "problems": []}, folder)


def test_the_member_path_reaches_the_template_as_text_only(report, tmp_path):
    # The data is all there; it is just not a live object.
    assert render(tmp_path / "t", "{{ g.members[0].bundle.path }}", report).strip().endswith("An.bundle.json")
    data = plain({"g": report})["g"]
    assert isinstance(data["members"][0]["bundle"]["path"], str)


TARGET = "/tmp/mitrainer-sandbox-escape"

ESCAPES = {
    "write_text through the path": "{{ (g.members[0].bundle.path.parent / 'TARGET').write_text('x') }}".replace(
        "TARGET", TARGET),
    "write_text directly": "{{ g.members[0].bundle.path.write_text('x') }}",
    "read_text": "{{ g.members[0].bundle.path.read_text() }}",
    "open for append": "{{ g.members[0].bundle.path.open('a').write('x') }}",
    "joinpath": "{{ g.members[0].bundle.path.joinpath('x').touch() }}",
    "unlink": "{{ g.members[0].bundle.path.unlink() }}",
    "attr filter to a method": "{{ (g.members[0].bundle.path|attr('read_text'))() }}",
    "class walk": "{{ g.__class__.__mro__[1].__subclasses__() }}",
    "class walk from a string": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "globals of a macro": "{% macro m() %}{% endmacro %}{{ m.__globals__ }}",
    "globals of a chart function": "{{ charts.metric_bar.__globals__['__builtins__'] }}",
    "globals through attr": "{{ charts.metric_bar|attr('__globals__') }}",
    "format string attribute walk": "{{ '{0.__class__.__init__.__globals__}'.format(g) }}",
    "format_map walk": "{{ '{x.__class__}'.format_map({'x': g}) }}",
    "format through attr filter": "{{ ('{0.__class__}'|attr('format'))(g) }}",
    "mutating the data": "{{ g.members.append(1) }}{{ g.members|length }}",
    "dict update": "{{ g.update({'x': 1}) }}",
    "self reference to the environment": "{{ self._TemplateReference__context.environment }}",
    "cycler internals": "{{ cycler.__init__.__globals__ }}",
    "namespace internals": "{{ namespace.__init__.__globals__ }}",
    "huge repetition": "{{ 'x' * 10000000000 }}",
    "huge power": "{{ 2 ** 10000000000 }}",
    "range bomb": "{{ range(10000000000)|list|length }}",
}


@pytest.mark.parametrize("body", ESCAPES.values(), ids=ESCAPES.keys())
def test_every_escape_route_is_a_template_problem_and_touches_nothing(report, tmp_path, body):
    before = sorted(p.name for p in (tmp_path / "bundles").iterdir())
    with pytest.raises(TemplateProblem, match="template group.md.j2"):
        render(tmp_path / "t", body, report)
    assert not Path(TARGET).exists()
    assert sorted(p.name for p in (tmp_path / "bundles").iterdir()) == before
    assert (tmp_path / "bundles" / "An.bundle.json").read_text(encoding="utf-8").startswith("{")


def test_the_cli_refuses_an_escape_with_a_message(report, tmp_path, capsys):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "group.md.j2").write_text(ESCAPES["write_text through the path"], encoding="utf-8")
    bundles = sorted(str(p) for p in (tmp_path / "bundles").iterdir())
    code = main(["--scenarios", str(SCENARIOS), "group", "report", *bundles, "--format", "md",
                 "--templates", str(folder)])
    assert code == 2 and "template group.md.j2" in capsys.readouterr().err
    assert not Path(TARGET).exists()


def test_plain_values_keep_their_ordinary_methods(report, tmp_path):
    body = ("{{ g.members[0].name|upper }} {{ 'a,b'.split(',')|join('+') }} {{ {'k': 1}.items()|list|length }} "
            "{% for key, label in g.skill_labels %}{{ loop.index }}{% endfor %} "
            "{{ g.skill_short.get('rq_ratio') }} {{ '{:>4}'.format(7) }}")
    assert render(tmp_path / "t", body, report) == "AN a+b 1 12345678 R:Q    7\n"


def test_the_data_folder_templates_are_not_loaded_without_the_option(report, data_dir, tmp_path):
    (data_dir / "templates").mkdir(parents=True)
    (data_dir / "templates" / "group.md.j2").write_text("from the data folder", encoding="utf-8")
    assert "from the data folder" not in render_template("md", "group.md.j2", {"g": report, "problems": []})
    assert render_template("md", "group.md.j2", {"g": report, "problems": []},
                           data_dir / "templates").strip() == "from the data folder"


def test_only_plain_data_is_handed_over():
    @dataclasses.dataclass
    class Live:
        handle: object

    assert plain({"p": Path("/x"), "t": (1, 2.5, None, True)}) == {"p": "/x", "t": [1, 2.5, None, True]}
    with pytest.raises(TypeError, match="cannot be given"):
        plain(Live(open))
    with pytest.raises(TypeError):
        plain({"f": lambda: 1})
