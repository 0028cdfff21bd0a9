"""The sixth mission, written as docs/missions.md says: ``examples/warranty_claims`` is its own package with its own
simulated system, registered by entry points, and the platform and the simulator do not name it.

The end-to-end test installs it the way an installer does for entry points (a ``.dist-info`` with its
``entry_points.txt``, read from the example's ``pyproject.toml``, on the path of a fresh process) and runs
``tests/support/warranty_walkthrough.py`` there: trigger, gather over MCP (in-process), verdict, pending decision,
approval by an entitled reviewer, the write executed exactly once, and its eval set scored by the harness.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.postgres import require_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "warranty_claims"
PACKAGE = EXAMPLE / "warranty_claims"
#: What a mission from elsewhere may import of the platform: the declared APIs (each with ``__all__``).
MISSION_API = ("ai_missions.mission_api", "ai_missions.nodes.api")
#: And what its simulated system may import besides: the simulator's declared kit (the declaration, its decorators).
SYSTEM_API = ("ai_missions.integrations.kit",)
SYSTEM_MODULES = {"service.py", "book.py"}
#: How a file would name it: its package, mission, tools or policy (the word "warranty" alone is prose).
NAMES = ("warranty_claims", "warranty-claims", "approve_claim", "list_open_claims", "get_warranty_write", "WAR-001")


def installed(site: Path) -> Path:
    """``site`` holding the example's ``.dist-info``, with the entry points its ``pyproject.toml`` declares."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    groups = project["entry-points"]
    (info / "entry_points.txt").write_text(
        "".join(f"[{g}]\n" + "".join(f"{n} = {v}\n" for n, v in points.items()) + "\n" for g, points in groups.items())
    )
    return site


def imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_example_imports_only_the_declared_api(path: Path) -> None:
    allowed = MISSION_API + (SYSTEM_API if path.name in SYSTEM_MODULES else ())
    platform = {m for m in imported(path) if m.split(".")[0] == "ai_missions"}
    assert platform <= set(allowed), sorted(platform - set(allowed))


def test_the_declared_apis_declare_their_names() -> None:
    import importlib

    for name in (*MISSION_API, "ai_missions.integrations.kit"):
        module = importlib.import_module(name)
        assert module.__all__, name
        assert all(hasattr(module, n) for n in module.__all__), name


def test_no_platform_or_simulator_file_names_the_example() -> None:
    """Outside ``examples/``, only the docs and these tests say its name: adding it changed no platform file."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    naming = []
    for name in listed:
        if name.startswith(
            (
                "examples/",
                "docs/",
                "tests/test_sixth_mission.py",
                "tests/test_declared_api.py",
                "tests/support/warranty_walkthrough",
            )
        ):
            continue
        path = ROOT / name
        if path.suffix in {".py", ".toml", ".json", ".md", ".yaml", ".yml", ".cfg", ".txt"} and path.is_file():
            text = path.read_text(errors="replace")
            if any(token in text for token in NAMES):
                naming.append(name)
    assert naming == []


@pytest.mark.slow  # a process of its own (and a stdio server): started first under xdist, as the others that spawn
@pytest.mark.postgres  # its system keeps its tables on the Postgres server, not in a SQLite file
def test_from_trigger_to_an_approved_credit_and_a_scored_eval_set(tmp_path: Path) -> None:
    require_server()
    site = installed(tmp_path / "site")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(EXAMPLE), os.environ.get("PYTHONPATH", "")]),
        "MISSIONS_HOME": str(tmp_path / "home"),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    env.pop("MISSIONS_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "support" / "warranty_walkthrough.py"), str(tmp_path / "home")],
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(report, indent=1, default=str))
    assert report["index_problems"] == []
    assert report["trigger"]["story_types"] == ["in_warranty"]
    assert report["trigger"]["cases"] >= 10
    run = report["run"]
    assert run["status"] == "awaiting_decision"
    assert run["verdict"]["outcome"] == "approve"
    assert [(a["tool"], a["args"]["amount"]) for a in run["verdict"]["actions"]] == [("approve_claim", 129.0)]
    assert run["verdict"]["policy_ids"] == ["WAR-001@1"]
    assert run["sources"] == ["claims history", "warranty"]
    assert report["pending"] == "pending"
    assert report["entitled"]  # found through WAR-001's approval rules, not named here
    assert report["decided"] == {"status": "closed", "results": [["approve_claim", "done"]]}
    assert report["action_results"] == 1
    assert report["second_decision"].startswith("refused")
    assert report["unknown_claim"].startswith("refused")
    assert "WC-99999999" in report["unknown_claim"]
    trail = report["trail"]
    steps = [trail.index(k) for k in ("trigger", "observation", "verdict", "decision_requested", "decision")]
    assert steps == sorted(steps)
    assert trail[-1] == "closed"
    assert report["story_claim"] == "approved"
    assert report["over_stdio"] == "approved"  # the same system spawned by ai_missions.services.serve_system
    assert report["story_credits"] == [[report["trigger"]["story"], 12900]]
    assert report["other"]["outcome"] == "escalate"
    scored = report["eval"]
    assert scored["cases"] == 24
    for metric, (kind, bound) in report["thresholds"].items():
        assert scored[metric] >= bound if kind == "min" else scored[metric] <= bound, (metric, scored[metric])
    assert report["backend"].startswith("schema warranty_")  # a system not backed by SQLite
    # the conformance kit: the mission's every check, and its system's (served from Postgres) every check
    assert list(report["conformance"]["mission"]) == ["story", "decision", "once", "resume", "bad_input", "ci"]
    assert list(report["conformance"]["system"]) == ["contract", "lookup", "refusals", "write", "snapshot"]
    assert report["conformance"]["system"]["write"] == {"tool": "approve_claim"}


def test_the_worked_example_shows_the_lines_it_takes() -> None:
    """docs/missions.md's table of the example's files says each file's ``wc -l`` and the totals."""
    doc = (ROOT / "docs" / "missions.md").read_text()
    rows = re.findall(r"^\| `((?:warranty_claims/|pyproject)[^`]*)` \| (\d+) \|", doc, flags=re.MULTILINE)
    listed = subprocess.run(["git", "ls-files", "."], cwd=EXAMPLE, capture_output=True, text=True, check=True)
    counted = {
        name: len((EXAMPLE / name).read_text().splitlines())
        for name in listed.stdout.split()
        if name != "warranty_claims/__init__.py"
    }
    assert {name: int(lines) for name, lines in rows} == counted
    totals = [int(t) for t in re.findall(r"^\| \*\*[^*]+\*\* \| \*\*(\d+)\*\* \|", doc, flags=re.MULTILINE)]
    assert sum(totals) == sum(counted.values())
    assert f"{sum(counted.values()) + 1} lines in all" in doc  # with the one-line __init__.py
