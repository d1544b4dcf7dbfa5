"""A built wheel must carry the bundled scenarios and rubrics, and find them once installed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds a wheel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    pytest.importorskip("hatchling", reason="hatchling (in the test extra) builds the wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    wheels = list(out.glob("mitrainer-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_carries_every_bundled_scenario_and_rubric(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("scenarios", "rubrics"):
        for source in (ROOT / folder).glob("*.yaml"):
            assert f"mitrainer/_bundled/{folder}/{source.name}" in names


def test_installed_wheel_finds_its_bundled_folders(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    code = ("import mitrainer.paths as p; print(p.bundled_scenarios()); print(p.bundled_rubrics())")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(target), "PATH": ""}, timeout=60)
    assert result.returncode == 0, result.stderr
    scenarios, rubrics = result.stdout.split()
    assert Path(scenarios) == target / "mitrainer" / "_bundled" / "scenarios"
    assert Path(rubrics) == target / "mitrainer" / "_bundled" / "rubrics"


def test_minimum_versions_file_pins_every_lower_bound():
    # .ci/run installs these as constraints and runs the suite on them: a bound raised or
    # added in pyproject.toml without this file would leave the oldest admitted release untested.
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    wanted = list(project["dependencies"]) + list(extras["test"]) + list(extras["serve"])
    bounds = {}
    for requirement in wanted:
        # A lower bound, and an upper one only where mitrainer relies on a package's internals.
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,<[0-9.]+)?", requirement)
        assert match, f"{requirement!r}: give each dependency a plain lower bound"
        bounds[match[1].lower()] = match[2]
    pins = {}
    for line in (ROOT / ".ci" / "minimum-versions.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()

    def release(version: str) -> tuple[int, ...]:
        parts = [int(p) for p in version.split(".")]
        return tuple(parts + [0] * (3 - len(parts)))

    assert pins.keys() == bounds.keys()
    for name, bound in bounds.items():
        assert release(pins[name]) == release(bound), f"{name}: pinned {pins[name]}, pyproject says >={bound}"


def test_the_readme_test_command_is_the_one_ci_runs():
    # README's second command and .ci/run must install the same extras and run the same suite.
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.S)
    test_command = commands[1].strip()
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
