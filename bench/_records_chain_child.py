"""The measured side of ``bench/records_chain.py`` (a helper, not a benchmark: ``make bench`` skips files starting
with ``_``): builds a home and measures, with whichever code ``ai_missions`` is imported from (the parent repoints it
at the other commit's code before this file runs, for the "before" side). Prints one JSON line."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ai_missions.kernel import grants
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services import identity
from ai_missions.services.identity import Accounts

try:
    from ai_missions.kernel import beliefs
except ImportError:  # the code before: no walk, no checkpoint
    beliefs = None

PASSWORD = "correct horse battery"
ARGS = {"authorization_id": "AUTH-1", "amount": 10.0, "idempotency_key": "R-x:0:capture_payment"}


def cpu_ms(call: Any, times: int = 1) -> float:
    """CPU milliseconds of one call (the median of ``times``)."""
    spent = []
    for _ in range(times):
        started = time.process_time()
        call()
        spent.append((time.process_time() - started) * 1000)
    return statistics.median(spent)


def workload(home: Path, entries: int, tokens: int, repeat: int) -> dict[str, Any]:
    """Build the home, then measure."""
    identity._hasher().hash(PASSWORD)  # argon2 loaded before anything is timed
    store = RunStore(runs_db(home))
    accounts = Accounts(store)
    for name, role in {"ana": "ops_agent", "chen": "controller", "fiona": "finance", "omar": "ops_lead"}.items():
        accounts.add(name, role, PASSWORD, by="setup")
    for i in range(tokens):  # sign-ins, half signed out again
        token = accounts.issue_token("omar")
        if i % 2:
            accounts.revoke(token)
    for i in range(20):  # abandoned runs
        grants.revoke(home, [f"R-{i}", f"D-{i}"], "abandoned by omar (ops_lead)")
    run = 0
    while store.read().execute("SELECT count(*) FROM audit").fetchone()[0] < entries:
        run += 1
        store.append_events(f"R-{run}", [{"kind": "observation", "summary": f"finding {k}"} for k in range(25)])
    token = accounts.issue_token("fiona")
    grant = grants.mint(home, decision_id="D-x", index=0, tool="capture_payment", args=ARGS,
                        key=ARGS["idempotency_key"], by="fiona", run="R-x")  # fmt: skip
    cold = [cpu_ms(lambda: Accounts(RunStore(runs_db(home))).account_for_token(token)) for _ in range(repeat)]
    warm_accounts = Accounts(RunStore(runs_db(home)))
    warm_accounts.account_for_token(token)
    warm = cpu_ms(lambda: warm_accounts.account_for_token(token), 200)
    appender = RunStore(runs_db(home))
    appender.append_events("R-bench", [{"kind": "observation", "summary": "first"}])
    append = cpu_ms(lambda: appender.append_events("R-bench", [{"kind": "observation", "summary": "step"}]), 100)
    grants.check(home, grant, "capture_payment", ARGS)
    grant_check = cpu_ms(lambda: grants.check(home, grant, "capture_payment", ARGS), 200)
    total = store.read().execute("SELECT count(*) FROM audit").fetchone()[0]
    found = {"entries": total, "cold": statistics.median(cold), "warm": warm, "append": append, "grant": grant_check}
    return found | walk_costs(home, total)


def walk_costs(home: Path, total: int) -> dict[str, float]:
    """Where a first check goes (the code after only): CPU microseconds a chain entry walked (the whole chain, from
    its first entry) and a row of record read from the checkpoint."""
    if beliefs is None:
        return {}
    store = RunStore(runs_db(home))
    db = store.read()
    rows = sum(len(table) for table in store.beliefs().records.values())

    def whole() -> None:
        with store.anchoring():  # from the first entry, no checkpoint
            beliefs.believe(db, store.audit)

    return {
        "us/entry": cpu_ms(whole, 3) * 1000 / total,
        "us/row": cpu_ms(lambda: beliefs.read_checkpoint(db, store.audit), 5) * 1000 / max(rows, 1),
    }


def main() -> None:
    entries, tokens, repeat = (int(x) for x in sys.argv[1:4])
    home = Path(tempfile.mkdtemp(prefix="records-chain-"))
    os.environ["MISSIONS_HOME"] = str(home)
    try:
        print(json.dumps(workload(home, entries, tokens, repeat)))
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
