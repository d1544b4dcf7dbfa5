"""`mitrainer schema`: JSON Schemas generated from the models, for editors' completion and hover help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mitrainer.cli import main
from mitrainer.editor_schema import KINDS, SCENARIO_SCHEMA_FILE, json_schema, schema_text
from mitrainer.paths import bundled_rubrics, bundled_scenarios
from mitrainer.safeyaml import load_file

ROOT = Path(__file__).resolve().parents[3]


def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        schema = {**root["$defs"][name], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _fits_type(value, kinds) -> bool:
    kinds = [kinds] if isinstance(kinds, str) else kinds
    for kind in kinds:
        if kind in ("integer", "number"):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                    kind == "number" or float(value).is_integer()):
                return True
        elif isinstance(value, _TYPES[kind]):
            return True
    return False


def problems(value, schema: dict, root: dict, where: str = "") -> list[str]:
    """What a YAML language server would flag: unknown keys, wrong types, values not allowed.

    A small reader of the keywords pydantic writes ($ref, anyOf, type, enum, const,
    properties, required, additionalProperties, patternProperties, items, pattern) — enough
    to check that the schema lets real files through and stops wrong ones.
    """
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        options = [problems(value, option, root, where) for option in schema["anyOf"]]
        return [] if any(not found for found in options) else min(options, key=len)
    if "type" in schema and not _fits_type(value, schema["type"]):
        return [f"{where}: {value!r} is not {schema['type']}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in enum"]
    if "const" in schema and value != schema["const"]:
        return [f"{where}: {value!r} is not {schema['const']!r}"]
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        return [f"{where}: {value!r} does not match {schema['pattern']}"]
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{where}: missing {key}" for key in schema.get("required", []) if key not in value]
        for key, item in value.items():
            if key in properties:
                found += problems(item, properties[key], root, f"{where}.{key}")
                continue
            patterns = [s for p, s in schema.get("patternProperties", {}).items() if re.search(p, key)]
            extra = schema.get("additionalProperties", True)
            if patterns:
                found += problems(item, patterns[0], root, f"{where}.{key}")
            elif extra is False:
                found.append(f"{where}: unknown key {key}")
            elif isinstance(extra, dict):
                found += problems(item, extra, root, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += problems(item, schema["items"], root, f"{where}[{i}]")
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_the_committed_schemas_are_current(kind):
    committed = ROOT / "docs" / "schemas" / f"{kind}.schema.json"
    assert committed.read_text(encoding="utf-8") == schema_text(kind), (
        f"regenerate with: mitrainer schema {kind} -o docs/schemas/{kind}.schema.json")


def test_every_scenario_key_has_hover_help():
    schema = json_schema("scenario")
    missing = [f"{name}.{key}" for name, definition in [("Scenario", schema), *schema["$defs"].items()]
               for key, prop in definition.get("properties", {}).items() if not prop.get("description")]
    assert missing == []


def test_the_schema_speaks_the_file_format():
    schema = json_schema("scenario")
    when = schema["$defs"]["When"]["properties"]
    assert "if" in when and "if_" not in when  # the YAML key, not the Python name
    assert schema["$defs"]["Node"]["additionalProperties"] is False
    skills = _resolve(when["skills"]["items"], schema)
    assert "complex_reflection" in skills["enum"]
    assert "complex_reflection" in schema["$defs"]["Exemplar"]["properties"]["codes"]["items"]["examples"]


@pytest.mark.parametrize("path", sorted(bundled_scenarios().glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_scenarios_pass_the_schema(path):
    schema = json_schema("scenario")
    assert problems(load_file(path).data, schema, schema) == []


@pytest.mark.parametrize("path", sorted(bundled_rubrics().glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_rubrics_pass_the_schema(path):
    schema = json_schema("rubric")
    assert problems(load_file(path).data, schema, schema) == []


def test_the_schema_flags_what_the_validator_refuses():
    schema = json_schema("scenario")
    data = load_file(sorted(bundled_scenarios().glob("*.yaml"))[0]).data
    node = next(iter(data["nodes"].values()))
    node["talk"] = "angry"
    node["clinet"] = "typo"
    data["difficulty"] = 3
    found = " | ".join(problems(data, schema, schema))
    assert "'angry' not in enum" in found and "unknown key clinet" in found and "3 is not" in found


def test_schema_command_prints_and_writes(tmp_path, capsys):
    assert main(["schema", "scenario"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "Scenario" and "nodes" in printed["required"]
    target = tmp_path / "rubric.schema.json"
    assert main(["schema", "rubric", "-o", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "Rubric"


def test_new_points_editors_at_the_schema(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "demo"]) == 0
    first = (tmp_path / "demo.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCENARIO_SCHEMA_FILE}"
    assert (tmp_path / SCENARIO_SCHEMA_FILE).read_text(encoding="utf-8") == schema_text("scenario")
    # A schema file already there (perhaps one the author edited) is left alone.
    (tmp_path / SCENARIO_SCHEMA_FILE).write_text("{}", encoding="utf-8")
    assert main(["new", "other"]) == 0
    assert (tmp_path / SCENARIO_SCHEMA_FILE).read_text(encoding="utf-8") == "{}"
    assert main(["validate", "demo.yaml", "other.yaml", "--no-talk-check"]) == 0
