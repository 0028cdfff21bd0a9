"""The failure campaign's figures: runs the campaign tests and prints the lines they report.

    python3 -m uv run python scripts/campaign.py              # the default run's tier, as CI runs it
    python3 -m uv run python scripts/campaign.py --extended   # and the extended parts: 500 kills, 200 more races

The same tests run in CI with the rest of the suite; this prints their counts (trials, races, cases, refusals)
for the README, then every test marked ``attack("42.1")`` (an issue's attack list, item by item) with a line per
item, ``attacks on 42.1: tried N, refused N`` (CI's run ends with the same lines), and exits non-zero if any
campaign or attack test fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The tests that try to break the governance promises, each printing a tally line when run with ``-s``.
CAMPAIGN = [
    "tests/test_kill_campaign.py",
    "tests/test_decision_races.py",
    "tests/test_decision_races_postgres.py",
    "tests/test_injection_corpus.py",
    "tests/test_fuzz.py",
    "tests/test_coapproval.py",
    "tests/test_faults.py::test_crash_campaign_every_boundary_of_the_execute_step",
    "tests/test_side_doors.py",
    "tests/test_side_doors_grants.py",
    "tests/test_side_doors_records.py",
    "tests/test_side_doors_audit.py",
    "tests/test_side_doors_exposure.py",
    "tests/test_side_doors_inputs.py",
]
#: How the tally lines begin.
FIGURES = (
    "kill -9 campaign",  # then ", sample:" or ", part N of 4:"
    "races:",
    "races on Postgres",  # then ", sample:" or ", part N of 2:"
    "injection corpus:",
    "obeying model:",
    "fuzz:",
    "crash campaign:",
    "co-approval:",
    "side-door campaign:",
)


def main() -> int:
    # one process (-n0): pytest-xdist's workers would swallow the tally lines that -s lets through
    command = [sys.executable, "-m", "pytest", "-n0", "-s", "-q", "-W", "ignore::DeprecationWarning"]
    if "--extended" in sys.argv[1:]:  # the extended tier's parts too (the default run leaves them out)
        command += ["-m", "not live"]
    result = subprocess.run([*command, *CAMPAIGN], cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line.strip() for line in result.stdout.splitlines()]
    latest: dict[str, str] = {}  # a tally printed again after each module: its last count per item
    for line in lines:
        if line.startswith(FIGURES):
            latest[line.rsplit(":", 1)[0]] = line
    print("\n".join(latest.values()))
    print(lines[-1] if lines else result.stderr.strip())
    tiers = "not live" if "--extended" in sys.argv[1:] else "not extended and not live"
    attacks = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-m", f"attack and ({tiers})", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    tally = [line.strip() for line in attacks.stdout.splitlines() if line.startswith("attacks on ")]
    print("\n".join(tally) or attacks.stderr.strip())
    return result.returncode or attacks.returncode


if __name__ == "__main__":
    sys.exit(main())
