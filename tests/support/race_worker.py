"""A deciding worker for the Postgres race campaign: a process of its own with its own runtime on the shared store.

Two of these decide (and resume) the same decisions at the same moment, as two platform workers on two machines
would. Each runs in a process started with ``spawn`` (no state shared with the test but the database and the
systems), takes one command at a time from its pipe and answers with what happened:

- ``("decide", decision_id, reviewer, options)``: decide as ``reviewer``; both workers meet at a cross-process
  barrier just before the store's claim, so the claims race for real;
- ``("recover",)``: finish every decided decision whose execution was interrupted (``missions resume``);
- ``("reopen",)``: a new runtime, as a restarted worker would have (the old one's gateway would reconnect a
  killed and restarted system on its next call as well);
- ``("stop",)``.

Answers are ``("ok", status)`` or ``("error", class name, message)``.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import random
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Barrier
from typing import Any

CLAIM_TIMEOUT_S = 10


def serve(home: str, url: str, pipe: Connection, barrier: Barrier, seed: int) -> None:
    """The worker's loop (the ``spawn`` target)."""
    # a system killed mid-call is noticed at once (its connection closes); a hung one at the call timeout
    os.environ.update({"MISSIONS_HOME": home, "MISSIONS_DATABASE_URL": url, "MISSIONS_CALL_TIMEOUT_S": "3"})
    from ai_missions.client import MissionClient  # after the environment names the shared store

    jitter = random.Random(seed)
    client = MissionClient().open()
    try:
        while True:
            command = pipe.recv()
            if command[0] == "stop":
                break
            faulthandler.dump_traceback_later(120, exit=False)  # a command stuck that long shows where
            try:
                if command[0] == "reopen":
                    client.close()  # prompt whatever its sessions' state (a dead one is cancelled after 2 s)
                    client = MissionClient().open()
                    pipe.send(("ok", "reopened"))
                elif command[0] == "recover":
                    pipe.send(("ok", [o.status for o in client.recover()]))
                else:
                    _, decision_id, reviewer, options = command
                    pipe.send(("ok", decide_together(client, barrier, jitter, decision_id, reviewer, options)))
            except Exception as exc:  # what the other side and the test must see: the loser's conflict, a lost system
                pipe.send(("error", type(exc).__name__, str(exc)))
            finally:
                faulthandler.cancel_dump_traceback_later()
    finally:
        with contextlib.suppress(Exception):
            client.close()


def decide_together(
    client: Any, barrier: Barrier, jitter: random.Random, decision_id: str, reviewer: str, options: dict[str, Any]
) -> str:
    """Decide, having read the decision as pending and checked roles and the guard like the other worker; the
    claim waits for the other worker's, then a random fraction of a millisecond: the race the store must settle."""
    claim_decision = client.store.claim_decision

    def claim_together(*args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(CLAIM_TIMEOUT_S)
        time.sleep(jitter.random() / 1000)  # which worker the scheduler favours is left to chance
        return claim_decision(*args, **kwargs)

    client.store.claim_decision = claim_together
    try:
        edits = {int(k): v for k, v in options.pop("edits", {}).items()}
        return str(client.decide(decision_id, reviewer, **options, **({"edits": edits} if edits else {})).status)
    finally:
        client.store.claim_decision = claim_decision
