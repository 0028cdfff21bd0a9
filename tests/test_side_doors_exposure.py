"""The side-door campaign (issue 26), items 7 and 8: the customer's view of the dashboard, and exposure (binding
beyond loopback, sign-in throttling, single sign-on's domain, the signing key). Each attack is tried as an attacker
would and shown refused, counted in the campaign's tally (``tests/test_side_doors.py``)."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ai_missions.cli.account_commands import DEMO_PASSWORD, seed_demo_accounts
from ai_missions.cli.dashboard_commands import check_host
from ai_missions.cli.serve_commands import check_exposure
from ai_missions.dashboard.ui import REVIEWER_KEY
from ai_missions.graphs.account_save.spec import SPEC as ACCOUNT_SAVE
from ai_missions.graphs.retail_exceptions.spec import SPEC as RETAIL
from ai_missions.graphs.support.spec import SPEC as SUPPORT
from ai_missions.kernel.errors import ForbiddenError, MissionsError
from ai_missions.kernel.settings import runs_db, sso_domains
from ai_missions.kernel.signing import KEY_FILE, platform_key, seal, unseal
from ai_missions.kernel.store import RunStore
from ai_missions.services.identity import FREE_FAILURES, MAX_LOCK_SECONDS, Accounts, sso_account
from ai_missions.testing import signed_in_as
from tests.test_dashboard_support import PAGES, Book, app, book_copy, open_page, sign_in, texts
from tests.test_side_doors import attack, missions, refused_in_one_line, tally

__all__ = ["tally"]  # the campaign's tally, printed at the end of this module too

pytestmark = pytest.mark.slow

EXPOSURE = "8 exposure"
PORTAL = "7 the customer's view"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the demo roster's accounts on the demo's printed password (what ``missions demo`` leaves)."""
    home = tmp_path_factory.mktemp("exposure") / "home"
    home.mkdir()
    assert seed_demo_accounts(home=home)
    return home


def accounts(home: Path) -> Accounts:
    return Accounts(RunStore(runs_db(home)))


# -- 7. the customer sees only the portal, a visitor only the sign-in -------------------------------------------------
#: Every operations page (and the missions' own pages), by the title it shows staff.
OPERATIONS_PAGES = {
    **PAGES,
    str(ACCOUNT_SAVE.pages["Morning brief"]): "Morning brief",
    str(RETAIL.pages["Retail operations"]): "Retail operations",
}
CUSTOMER = "c-10001"  # the account of customer C-10001 (role customer)
#: What a forged link claims: an identity and a role in the address.
FORGED = {"role": "ops_lead", "user": "omar", "reviewer": "omar", "admin": "1"}


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Book]:
    copy = book_copy(tmp_path_factory.mktemp("portal") / "home", tmp_path_factory)
    accounts(copy.home).add(CUSTOMER, "customer", DEMO_PASSWORD, by="test")
    yield copy
    st.cache_resource.clear()  # closes the dashboard's mission client (its MCP servers)


@pytest.fixture
def dashboard_home(book: Book, monkeypatch: pytest.MonkeyPatch) -> Book:
    monkeypatch.setenv("MISSIONS_HOME", str(book.home))
    return book


def operations_shown(at: AppTest, book: Book) -> list[str]:
    """What of the operations the page shows: their titles, decisions, runs, tables and figures."""
    page = texts(at)
    return [
        *(t.value for t in at.title if any(t.value.startswith(title) for title in OPERATIONS_PAGES.values())),
        *(d for d in book.decisions.values() if d in page),
        *(r for r in book.runs.values() if r in page),
        *(["a table of runs or decisions"] if at.dataframe else []),
        *(["figures"] if at.metric else []),
        *(["a decision's buttons"] if [b for b in at.button if str(b.key or "").startswith("q-")] else []),
    ]


def test_7_staff_see_every_operations_page(dashboard_home: Book) -> None:
    """The control: what the customer and the visitor must not see is there for staff (so its absence means
    something)."""
    for page, title in OPERATIONS_PAGES.items():
        who = "ava" if page == str(ACCOUNT_SAVE.pages["Morning brief"]) else "omar"  # a reviewer of its mission
        at = open_page(page, account=who, run=dashboard_home.runs["story"])
        assert [t.value for t in at.title if t.value.startswith(title)], page
    queue = open_page("views/queue.py", account="omar", decision=dashboard_home.decisions["story"])
    assert dashboard_home.decisions["story"] in texts(queue)


@pytest.mark.parametrize("query", [{}, FORGED], ids=["plain", "forged-role"])
@pytest.mark.parametrize("page", sorted(OPERATIONS_PAGES))
def test_7_a_customer_sees_only_the_portal_on_every_operations_page(
    dashboard_home: Book, page: str, query: dict[str, str]
) -> None:
    at = open_page(page, account=None, decision=dashboard_home.decisions["story"], **query)  # the page's address
    at.session_state[REVIEWER_KEY] = CUSTOMER  # then the session signs in as the customer, at that address
    at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Customer portal"]
    assert "customer C-10001" in texts(at)  # their own, named from the signed-in account
    assert attack(PORTAL, operations_shown(at, dashboard_home) == [])
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not even registered for them
        at.switch_page(page)


@pytest.mark.parametrize("query", [{}, FORGED], ids=["plain", "forged-role"])
@pytest.mark.parametrize("page", [*sorted(OPERATIONS_PAGES), str(SUPPORT.portal_pages["Customer portal"])])
def test_7_a_visitor_sees_only_the_sign_in_on_every_page(
    dashboard_home: Book, page: str, query: dict[str, str]
) -> None:
    at = open_page(page, account=None, run=dashboard_home.runs["story"], **query)
    assert [t.value for t in at.title] == ["AI Missions"]
    assert "Sign in (in the sidebar) to continue" in texts(at)
    assert at.text_input(key="sign-in-name") is not None
    assert attack(PORTAL, operations_shown(at, dashboard_home) == [] and "Signed in as" not in texts(at))


def test_7_a_customer_signing_in_on_a_link_to_a_decision_gets_the_portal(dashboard_home: Book) -> None:
    decision_id = dashboard_home.decisions["story"]
    at = sign_in(open_page("views/queue.py", account=None, decision=decision_id, **FORGED), CUSTOMER)
    assert "Signed in as **c-10001** · customer" in texts(at)
    assert [t.value for t in at.title] == ["Customer portal"]
    assert attack(PORTAL, operations_shown(at, dashboard_home) == [])
    staff = sign_in(open_page("views/queue.py", account=None, decision=decision_id), "omar")
    assert decision_id in texts(staff)  # the same link, signed in as staff, opens the decision


# -- 8. the dashboard beyond loopback --------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20"])
def test_8_the_dashboard_beyond_loopback_is_refused_while_demo_passwords_stand(
    demo_home: Path, host: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISSIONS_HOME", str(demo_home))
    code, out, err = missions(capsys, "dashboard", "--host", host, "--port", "1")
    assert attack(EXPOSURE, refused_in_one_line(code, err, host, "demo password", "missions accounts password"))
    assert "dashboard on http" not in out  # refused before anything started
    check_host("127.0.0.1", demo_home)  # on loopback the demo stays as easy as it was


def test_8_once_every_demo_password_is_changed_the_dashboard_may_bind_beyond_loopback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.delenv("MISSIONS_TOKEN", raising=False)
    signed_in_as(home, "ana")  # the demo roster, on the demo password
    names = [a.name for a in accounts(home).list()]
    assert set(accounts(home).with_password(DEMO_PASSWORD)) == set(names)
    monkeypatch.setenv("MISSIONS_TOKEN", accounts(home).issue_token("omar"))  # not an admin
    code, _, err = missions(capsys, "accounts", "password", "ana", "--password-stdin")
    assert attack(EXPOSURE, refused_in_one_line(code, err, "only its own password"))
    monkeypatch.setattr("sys.stdin", _Lines(DEMO_PASSWORD))
    code, _, err = missions(capsys, "accounts", "password", "omar", "--password-stdin")
    assert attack(EXPOSURE, refused_in_one_line(code, err, "demo's printed password"))
    monkeypatch.setenv("MISSIONS_TOKEN", accounts(home).issue_token("ana"))  # the admin changes everyone's
    for name in sorted(names, key=lambda n: n == "ana"):  # the admin's own last: it ends the admin's sign-in
        monkeypatch.setattr("sys.stdin", _Lines(f"{name}-own-secret"))
        code, _out, err = missions(capsys, "accounts", "password", name, "--password-stdin")
        assert code == 0, err
    assert accounts(home).with_password(DEMO_PASSWORD) == ()
    check_host("0.0.0.0", home)  # nothing left to refuse
    assert accounts(home).authenticate("fiona", "fiona-own-secret").role == "finance"
    with pytest.raises(ForbiddenError):
        accounts(home).authenticate("fiona", DEMO_PASSWORD)


class _Lines:
    """A standard input holding one line (what ``--password-stdin`` reads)."""

    def __init__(self, line: str) -> None:
        self.line = line

    def readline(self) -> str:
        return self.line + "\n"

    def isatty(self) -> bool:
        return False


# -- 8. sign-in throttling -------------------------------------------------------------------------------------------
def test_8_repeated_wrong_passwords_lock_the_account_for_everyone_then_time_frees_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    signed_in_as(home, "ana")
    now = datetime.now(UTC)
    for _ in range(FREE_FAILURES):
        with pytest.raises(ForbiddenError, match="wrong account name or password"):
            accounts(home).authenticate("fiona", "guess-1234", now=now)
    # the right password is refused too while locked (a guess that hits says nothing), in every process's view
    with pytest.raises(ForbiddenError, match=r"too many failed sign-ins for 'fiona': try again in \d+ s") as locked:
        Accounts(RunStore(runs_db(home))).authenticate("fiona", DEMO_PASSWORD, now=now)
    assert attack(EXPOSURE, "\n" not in str(locked.value))
    assert accounts(home).authenticate("omar", DEMO_PASSWORD, now=now).name == "omar"  # per account, not global
    # each further failure doubles the lock, up to the longest
    later = now + timedelta(seconds=31)
    with pytest.raises(ForbiddenError, match="wrong account name or password"):
        accounts(home).authenticate("fiona", "guess-5678", now=later)
    with pytest.raises(ForbiddenError, match=r"try again in (5[0-9]|60) s"):
        accounts(home).authenticate("fiona", DEMO_PASSWORD, now=later)
    free = later + timedelta(seconds=MAX_LOCK_SECONDS)
    assert attack(EXPOSURE, accounts(home).authenticate("fiona", DEMO_PASSWORD, now=free).name == "fiona")
    for _ in range(FREE_FAILURES - 1):  # the right password reset the count
        with pytest.raises(ForbiddenError, match="wrong account name or password"):
            accounts(home).authenticate("fiona", "guess-9", now=free)


def test_8_an_unknown_name_is_throttled_like_a_known_one(tmp_path: Path) -> None:
    home = tmp_path / "home"
    signed_in_as(home, "ana")
    now = datetime.now(UTC)
    answers = []
    for name in ("fiona", "nobody"):
        for _ in range(FREE_FAILURES + 1):
            try:
                accounts(home).authenticate(name, "guess-1234", now=now)
            except ForbiddenError as exc:
                answers.append((name, str(exc).replace(repr(name), "NAME")))
    assert attack(EXPOSURE, [a for n, a in answers if n == "fiona"] == [a for n, a in answers if n == "nobody"])


def test_8_the_dashboard_sign_in_is_throttled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    signed_in_as(home, "ana")
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    at = app()
    at.run()
    for _ in range(FREE_FAILURES):
        sign_in(at, "fiona", "guess-1234")
    sign_in(at, "fiona")
    assert attack(EXPOSURE, any("too many failed sign-ins" in e.value for e in at.error))
    assert not any("Signed in as" in str(m.value) for m in at.sidebar.markdown)


# -- 8. missions serve beyond loopback -------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5", "::"])
def test_8_serve_beyond_loopback_over_plain_http_is_refused(
    demo_home: Path, host: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISSIONS_HOME", str(demo_home))
    code, _out, err = missions(capsys, "serve", "--host", host, "--port", "0")
    assert attack(EXPOSURE, refused_in_one_line(code, err, host, "--tls-cert", "--behind-tls-proxy"))
    assert not (demo_home / "serve.json").exists()
    code, _, err = missions(capsys, "serve", "--host", host, "--tls-cert", str(demo_home / "none.pem"))
    assert attack(EXPOSURE, refused_in_one_line(code, err, "--tls-key"))


def test_8_serve_beyond_loopback_needs_tls_or_the_proxy_setting(tmp_path: Path) -> None:
    pem = tmp_path / "cert.pem"
    pem.write_text("-")
    check_exposure("127.0.0.1", None, behind_tls_proxy=False)
    check_exposure("localhost", None, behind_tls_proxy=False)
    check_exposure("0.0.0.0", (pem, pem), behind_tls_proxy=False)
    check_exposure("0.0.0.0", None, behind_tls_proxy=True)
    with pytest.raises(ForbiddenError, match="plain HTTP"):
        check_exposure("0.0.0.0", None, behind_tls_proxy=False)


# -- 8. single sign-on maps only the configured domain ---------------------------------------------------------------
ROSTER = {"fiona": "finance", "ana": "ops_agent"}


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "fiona@evil.example", "email_verified": True},
        {"email": "fiona@example.com.evil.example", "email_verified": True},
        {"email": "fiona@sub.example.com", "email_verified": True},
        {"email": "fiona@example.com", "email_verified": False},
        {"email": "fiona@example.com"},  # no word that the address was verified
        {"email": "fiona@example.com", "email_verified": "true"},  # a string is not a verification
        {"preferred_username": "fiona", "email": "mallory@example.com", "email_verified": True},
        {"preferred_username": "fiona@example.com", "email_verified": True},
        {"email": "fiona@evil.example@example.com", "email_verified": True},
    ],
)
def test_8_single_sign_on_does_not_map_another_domain_or_an_unverified_address(claims: dict[str, object]) -> None:
    assert attack(EXPOSURE, sso_account(claims, ROSTER, {"example.com"}) is None)


def test_8_single_sign_on_maps_a_verified_address_of_the_configured_domain_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MISSIONS_SSO_DOMAINS", " Example.com, @corp.example ")
    assert sso_domains() == {"example.com", "corp.example"}
    assert sso_account({"email": "Fiona@EXAMPLE.com", "email_verified": True}, ROSTER, sso_domains()) == "fiona"
    assert sso_account({"email": "ana@corp.example", "email_verified": True}, ROSTER, sso_domains()) == "ana"
    monkeypatch.delenv("MISSIONS_SSO_DOMAINS")
    claims = {"email": "fiona@example.com", "email_verified": True}
    assert attack(EXPOSURE, sso_account(claims, ROSTER, sso_domains()) is None)  # no domain configured: nobody


# -- 8. the signing key ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content", ["", "\n", "ab12", "00" * 16, "zz" * 32, "ab" * 31 + "a"])
def test_8_an_empty_or_truncated_key_is_refused_in_one_line_and_left_as_it_was(tmp_path: Path, content: str) -> None:
    (tmp_path / KEY_FILE).write_text(content)
    with pytest.raises(MissionsError, match="is not a signing key") as refused:
        platform_key(tmp_path)
    assert attack(EXPOSURE, "\n" not in str(refused.value) and "restore it from a backup" in str(refused.value))
    assert (tmp_path / KEY_FILE).read_text() == content  # nothing overwritten: the operator decides


def test_8_a_crash_while_creating_the_key_leaves_no_key_rather_than_an_empty_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(fd: int) -> None:
        raise OSError("power lost")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="power lost"):
        platform_key(tmp_path)
    assert attack(EXPOSURE, not (tmp_path / KEY_FILE).exists())
    assert list(tmp_path.iterdir()) == []  # no temporary file left either
    monkeypatch.undo()
    key = platform_key(tmp_path)
    assert len(key) == 32
    assert (tmp_path / KEY_FILE).read_text() == key.hex()
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    assert platform_key(tmp_path) == key
    assert unseal(key, seal(key, {"a": 1})) == {"a": 1}


def test_8_processes_creating_the_key_at_once_all_get_the_one_written(tmp_path: Path) -> None:
    keys: list[bytes] = []
    start = threading.Barrier(8)

    def create() -> None:
        start.wait()
        keys.append(platform_key(tmp_path))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1
    assert bytes.fromhex((tmp_path / KEY_FILE).read_text()) == keys[0]
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]
