"""The dashboard reads its roster through the process's store of the home (``resources.roster``), and still reads
it anew on every call: an account another process adds is there at the next read, and before the first account the
roster is what ``load_roster`` answers."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ai_missions.dashboard import resources
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from ai_missions.services.governance import default_roster
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD


def test_an_account_added_by_another_process_is_in_the_next_roster_read(missions_home: Path) -> None:
    try:
        assert resources.roster() == default_roster()  # no account yet
        elsewhere = Accounts(RunStore(runs_db(missions_home)))  # as `missions accounts add` in another process
        elsewhere.add("ada", "ops_lead", DEMO_PASSWORD, by="test")
        assert resources.roster() == {"ada": "ops_lead"}
        elsewhere.add("ben", "finance", DEMO_PASSWORD, by="ada")
        assert resources.roster() == {"ada": "ops_lead", "ben": "finance"}
    finally:
        st.cache_resource.clear()
