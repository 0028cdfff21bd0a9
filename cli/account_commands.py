"""Identity and audit commands: accounts, login, logout, whoami, audit verify/export."""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
from pathlib import Path
from typing import Any

from ai_missions.cli import columns, emit, json_command
from ai_missions.kernel.errors import ConflictError, ForbiddenError, MissionsError, ValidationError
from ai_missions.kernel.settings import knowledge_dir, missions_home, runs_db

#: The password ``missions demo`` gives the default roster's accounts (change it for anything but a demo).
DEMO_PASSWORD = "missions-demo"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    accounts = subparsers.add_parser("accounts", help="local reviewer accounts (the first one is the admin)")
    sub = accounts.add_subparsers(dest="accounts_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add an account (the first account needs no sign-in and is the admin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, help="the reviewer role, e.g. finance, ops_lead, controller")
    add.add_argument("--admin", action="store_true", help="may add accounts")
    add.add_argument("--person", help="the person behind the account, e.g. an e-mail (default: the account's name)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=_add)
    role = sub.add_parser("role", help="ask for a new role for an account (a second admin or a controller confirms)")
    role.add_argument("name")
    role.add_argument("--role", required=True)
    role.add_argument("--admin", action="store_true", help="may add accounts")
    role.set_defaults(handler=_role)
    grants = sub.add_parser("grants", help="role grants waiting for a second admin or a controller")
    json_command(grants, _grants)
    confirm = sub.add_parser("confirm", help="confirm another admin's role grant (as an admin or a controller)")
    confirm.add_argument("grant_id")
    confirm.set_defaults(handler=_confirm)
    away = sub.add_parser(
        "away", help="mark yourself away (an admin: someone else): your manager decides for your accounts (ACC-001)"
    )
    away.add_argument("name", nargs="?", help="the account (default: the signed-in one)")
    away.add_argument("--until", metavar="DAY", help="the last day away, YYYY-MM-DD (default: until marked back)")
    away.add_argument("--reason", default="", help="why (shown with the absence and on the audit trail)")
    json_command(away, _away)
    back = sub.add_parser("back", help="end an absence: decisions wait for you again")
    back.add_argument("name", nargs="?", help="the account (default: the signed-in one)")
    json_command(back, _back)
    listing = sub.add_parser("list", help="accounts, their roles and who is away")
    json_command(listing, _list)
    demo = sub.add_parser("demo", help="a new store's demo roster (ana, omar, fiona...) with one shared password")
    demo.add_argument("--password-stdin", action="store_true")
    demo.set_defaults(handler=_demo)
    adopt = sub.add_parser(
        "adopt-unsigned", help="sign the accounts and approval rules of a store written before rows were signed"
    )
    adopt.set_defaults(handler=_adopt_unsigned)
    password = sub.add_parser("password", help="change an account's password (your own, or any as an admin)")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", help="read the new password from standard input")
    password.set_defaults(handler=_change_password)

    login = subparsers.add_parser("login", help="sign in; the CLI keeps an API token under MISSIONS_HOME")
    login.add_argument("name")
    login.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    login.set_defaults(handler=_login)
    logout = subparsers.add_parser("logout", help="sign out (the saved token stops working)")
    logout.set_defaults(handler=_logout)
    whoami = subparsers.add_parser("whoami", help="the signed-in account and its role")
    whoami.set_defaults(handler=_whoami)

    audit = subparsers.add_parser("audit", help="verify or export the hash-chained audit trail")
    asub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = asub.add_parser(
        "verify",
        help="check every entry, the chain's end and the displayed events and decisions; names the first problem",
    )
    verify.add_argument("--file", type=Path, help="verify an export instead of the store")
    verify.set_defaults(handler=_verify)
    key = asub.add_parser(
        "key",
        help="key an older store's audit chain and anchor its rows of record, once, on purpose (an admin)",
    )
    key.add_argument(
        "--admin", help="the admin who does it (asked for the password); none for a store without accounts"
    )
    key.add_argument("--password-stdin", action="store_true", help="read the admin's password from standard input")
    key.set_defaults(handler=_key_chain)
    anchor = asub.add_parser(
        "anchor",
        help="re-anchor this host's audit head at the chain's verified end (it lost its head file, joins a "
        "deployment, or its head records entries that were cut): an admin, on the audit trail",
    )
    anchor.add_argument(
        "--admin", help="the admin who does it (asked for the password); none for a store without accounts"
    )
    anchor.add_argument("--password-stdin", action="store_true", help="read the admin's password from standard input")
    anchor.set_defaults(handler=_anchor)
    export = asub.add_parser("export", help="write the trail as JSON lines ending with its signed head")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=_export)


def _store() -> Any:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.store import RunStore

    return RunStore(runs_db())


def _password(args: argparse.Namespace, prompt: str = "Password: ") -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():  # getpass would warn and read the password, echoed, from whatever stdin is
        raise ValidationError("no terminal to ask the password on: pipe it in with --password-stdin")
    return getpass.getpass(prompt)


def _require_admin(accounts: Any) -> str | None:
    """The admin signed in, or None while the store never had an account (bootstrap)."""
    if not accounts.set_up():
        return None
    account = _signed_in(accounts)
    if not account.admin:
        raise ForbiddenError(f"{account.name} is not an admin: only an admin adds accounts")
    return str(account.name)


def _signed_in(accounts: Any) -> Any:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import saved_token

    return accounts.account_for_token(saved_token(missions_home()))


def _add(args: argparse.Namespace) -> int:
    """The store's first account is added at once (its admin); after that, an admin asks and any role but a
    customer's waits for a second admin or a controller (``missions accounts confirm``)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import Accounts

    accounts = Accounts(_store())
    by = _require_admin(accounts)
    _check_role(args.role)
    if by is None:
        account = accounts.add(args.name, args.role, _password(args), admin=args.admin, person=args.person)
        print(f"account {account.name} ({account.role}{', admin' if account.admin else ''}) added")
        return 0
    asked = accounts.request_grant(
        args.name, args.role, by=by, password=_password(args), admin=args.admin, person=args.person
    )
    return _granted(asked)


def _granted(asked: dict[str, Any]) -> int:
    what = f"{asked['name']} ({asked['role']})"
    if asked["status"] == "pending":
        print(
            f"role grant {asked['grant_id']} for {what} waits for a second admin or a controller: "
            f"`missions accounts confirm {asked['grant_id']}`"
        )
    else:
        print(f"account {what} {asked['status']}")
    return 0


def _role(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import Accounts

    accounts = Accounts(_store())
    by = _require_admin(accounts)
    if by is None:
        raise ForbiddenError("not signed in: run `missions login NAME`")
    _check_role(args.role)
    return _granted(accounts.request_grant(args.name, args.role, by=by, admin=args.admin))


def _grants(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import Accounts

    accounts = Accounts(_store())
    _signed_in(accounts)
    rows = [
        {k: g[k] for k in ("grant_id", "name", "role", "admin", "person", "requested_by", "requested_at")}
        for g in accounts.pending_grants()
    ]
    emit(
        rows,
        as_json=args.json,
        render=lambda rows: (
            "\n".join(
                f"{r['grant_id']}  {r['name']:<12} {r['role']:<16} {'admin ' if r['admin'] else ''}asked by "
                f"{r['requested_by']} at {r['requested_at']}"
                for r in rows
            )
            or "no role grant is waiting"
        ),
    )
    return 0


def _confirm(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import Accounts

    accounts = Accounts(_store())
    account = accounts.confirm(args.grant_id, by=_signed_in(accounts).name)
    print(f"role grant {args.grant_id} confirmed: {account.name} ({account.role}{', admin' if account.admin else ''})")
    return 0


def _check_role(role: str) -> None:
    """A role no policy names and no one holds is refused with the known ones (``custmer`` would approve nothing
    and see nothing, silently)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.knowledge_index.policy_book import PolicyBook
    from ai_missions.services.governance import known_roles

    home = missions_home()
    try:
        knowledge: Any = PolicyBook(knowledge_dir(home))
        roles = known_roles(home, knowledge)
    except (MissionsError, OSError):  # no index yet: the roster's and the platform's roles
        roles = known_roles(home)
    if role not in roles:
        raise ValidationError(f"unknown role {role!r}; known roles: {', '.join(roles)}")


def _list(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.absence import recorded, today
    from ai_missions.services.identity import Accounts

    store = _store()
    gone = {name: a for name, a in recorded(store).items() if a.in_force(today())}
    rows = [
        {"name": a.name, "role": a.role, "admin": a.admin, "person": a.person, "away": _away_data(gone.get(a.name))}
        for a in Accounts(store).list()
    ]

    def render(rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "no accounts yet: `missions accounts add NAME --role ROLE` (the first one is the admin)"
        table = [("NAME", "ROLE", "ADMIN", "PERSON", "AWAY")]
        table += [
            (
                r["name"],
                r["role"],
                "admin" if r["admin"] else "-",
                r["person"],
                gone[r["name"]].words() if r["away"] else "-",
            )
            for r in rows
        ]
        return columns(table)

    emit(rows, as_json=args.json, render=render)
    return 0


def _away_data(absence: Any) -> dict[str, Any] | None:
    return None if absence is None else {"until": absence.until, "reason": absence.reason, "by": absence.by}


def _away(args: argparse.Namespace) -> int:
    """Who marks comes from the token (the account itself, or an admin for someone else): the authorization
    point's to allow; signed and on the audit chain."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import signed_in
    from ai_missions.services.review import mark_away

    store = _store()
    me = signed_in(missions_home(), store)
    name = args.name or me.name
    absence = mark_away(store, me, name, until=args.until, reason=args.reason)
    stand_in = "your manager decides" if name == me.name else f"{name}'s manager decides"
    emit(
        {"name": name, **(_away_data(absence) or {})},
        as_json=args.json,
        render=lambda _: (
            f"{name} is {absence.words()}: {stand_in} what waits for {'you' if name == me.name else name} where a "
            f"rule names a stand-in (ACC-001), pending decisions included; `missions accounts back` ends it"
        ),
    )
    return 0


def _back(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import signed_in
    from ai_missions.services.review import mark_back

    store = _store()
    me = signed_in(missions_home(), store)
    name = args.name or me.name
    was = mark_back(store, me, name)
    emit(
        {"name": name, "was": _away_data(was)},
        as_json=args.json,
        render=lambda _: f"{name} is back: decisions wait for {name} again" if was else f"{name} was not away",
    )
    return 0


def seed_demo_accounts(password: str = DEMO_PASSWORD, home: Path | None = None) -> list[str]:
    """The default roster as accounts (the first, ana, becomes the admin); names that exist are kept. A store with
    accounts of its own gets none: the roster would grant every role, with a printed password, past the second
    admin or controller who confirms role grants."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.store import RunStore
    from ai_missions.services.governance import default_roster
    from ai_missions.services.identity import Accounts

    accounts = Accounts(RunStore(runs_db(home)))
    existing = {a.name for a in accounts.list()}
    if existing - set(default_roster()):
        return []
    added = []
    for name, role in default_roster().items():
        if name not in existing:
            accounts.add(name, role, password, by="demo")
            added.append(name)
    return added


def _demo(args: argparse.Namespace) -> int:
    """Only a new store gets the demo roster: added later, one admin would grant every role (finance, controller)
    to accounts with a printed password."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import Accounts

    if Accounts(_store()).set_up():
        raise ForbiddenError(
            "the demo roster is added only to a store without accounts (it grants every role at once); "
            "add accounts with `missions accounts add`, a second admin or a controller confirms their roles"
        )
    password = _password(args) if args.password_stdin else DEMO_PASSWORD
    added = seed_demo_accounts(password)
    print(f"{len(added)} demo account(s) added: {', '.join(added) or 'none'}; `missions login NAME` to sign in")
    return 0


def _adopt_unsigned(args: argparse.Namespace) -> int:
    """Once, after upgrading a store from before rows of record were signed (needs the home's platform key; nobody
    can sign in before it, as every account is unsigned). Refused on a store that ever had signed rows."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.governance import adopt_unsigned_rules
    from ai_missions.services.identity import Accounts

    store = _store()
    names = Accounts(store).adopt_unsigned()
    rules = adopt_unsigned_rules(store)
    print(f"signed {len(names)} account(s): {', '.join(names) or 'none'}; approval rules of record: {rules}")
    return 0


def _change_password(args: argparse.Namespace) -> int:
    """The signed-in account changes its own password; an admin changes anyone's (e.g. the demo roster's)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import Accounts, saved_token

    accounts = Accounts(_store())
    account = accounts.account_for_token(saved_token(missions_home()))
    if account.name != args.name and not account.admin:
        raise ForbiddenError(f"{account.name} may change only its own password (an admin changes others')")
    new = _password(args, "New password: ")
    if new == DEMO_PASSWORD:
        raise ValidationError("that is the demo's printed password: choose another")
    accounts.set_password(args.name, new, by=account.name)
    print(f"password of {args.name} changed (its saved sign-ins stop working)")
    return 0


def _login(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import Accounts, save_token

    accounts = Accounts(_store())
    account = accounts.authenticate(args.name, _password(args))
    path = save_token(missions_home(), account.name, accounts.issue_token(account.name))
    print(f"signed in as {account.name} ({account.role}); token saved in {path}")
    return 0


def _logout(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import Accounts, forget_token, saved_token

    token = saved_token(missions_home())
    if token:
        Accounts(_store()).revoke(token)
    forget_token(missions_home())
    print("signed out")
    return 0


def _whoami(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import signed_in

    account = signed_in(missions_home(), _store())
    print(f"{account.name} ({account.role}{', admin' if account.admin else ''})")
    return 0


def _verify(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.audit_key import AuditKey
    from ai_missions.services.audit import read_export, verify, verify_export

    if args.file is not None:
        if not args.file.exists():
            raise ValidationError(f"no file {args.file}")
        count, found = verify_export(read_export(args.file), AuditKey(missions_home(), None))
        said = f"audit export intact: {count} entries, whole (its signed head matches)"
    else:
        checked, found = verify(_store())
        said = (
            f"audit trail intact: {checked.entries} entries; {checked.events} events and {checked.decisions} "
            f"decision{'' if checked.decisions == 1 else 's'} match it; head outside the store at entry "
            f"{checked.head or 0}"
        )
    if found:
        more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
        raise MissionsError(f"the audit trail does not verify: {found[0]}{more}")
    print(said)
    return 0


def _key_chain(args: argparse.Namespace) -> int:
    """Upgrading a store from before keyed chains or row versions: nothing does this on its own (deleting a meta
    row once made the next command key the chain as the rows were then, edits included)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.kernel.store import audit_entry, chain
    from ai_missions.kernel.tiers import anchor_unversioned
    from ai_missions.services.governance import anchor_unversioned_rules
    from ai_missions.services.identity import Accounts

    store = _store()
    accounts = Accounts(store)
    if accounts.count():
        if not args.admin:
            raise ValidationError("name the admin who keys the chain: `missions audit key --admin NAME`")
        by = accounts.admin_by_password(args.admin, _password(args))
    else:
        by = "the holder of the platform key (the store has no accounts)"
    said = []
    if store.read().execute("SELECT 1 FROM audit WHERE mac IS NOT NULL LIMIT 1").fetchone() is None:
        keyed = store.key_chain(by=by)
        said.append(
            f"audit chain keyed at entry {keyed['entry']} by {by}: {keyed['legacy_entries']} entries bound by their "
            f"hashes; {keyed['events_recorded']} event row(s) of runs from before the chain and {keyed['decisions']} "
            "decision(s) put on it as they are"
        )
    with store.transaction() as db:
        versioned = bool(store.beliefs().records)  # the chain as verified, not its index columns
        if not versioned:
            anchored, refused = accounts.anchor_unversioned(db, by=by)
            anchored += anchor_unversioned_rules(store, db, by=by) + anchor_unversioned(store, db, by=by)
            if anchored:
                summary = f"{len(anchored)} rows of record from before row versions anchored as they are, by {by}"
                event = {"kind": "rows_anchored", "actor": by, "summary": summary}
                chain(db, [audit_entry(None, {**event, "data": {"anchored": anchored, "refused": refused}})])
                said.append(f"{len(anchored)} row(s) of record anchored: {', '.join(anchored)}")
            if refused:
                said.append(f"not anchored (their signature does not hold, they stay refused): {', '.join(refused)}")
    if not said:
        raise ConflictError("nothing to key: the audit chain is keyed and its rows of record are versioned")
    print("; ".join(said))
    return 0


def _anchor(args: argparse.Namespace) -> int:
    """A host that lost its head file (or joins a deployment) refuses every command that believes the chain until an
    admin re-anchors it; the chain itself is verified whole first, and the re-anchoring is on the chain, naming the
    admin, the host and what its head recorded before (entries cut before it are accepted as lost, and said)."""
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.identity import Accounts

    store = _store()
    with store.anchoring():
        accounts = Accounts(store)
        if accounts.set_up():
            if not args.admin:
                raise ValidationError("name the admin who re-anchors this host: `missions audit anchor --admin NAME`")
            account = accounts.authenticate(args.admin, _password(args))
            if not account.admin:
                raise ForbiddenError(f"{account.name} is not an admin: only an admin re-anchors a host's audit head")
            by = account.name
        else:
            by = "the holder of the platform key (the store has no accounts)"
        anchored = store.anchor(by=by, host=socket.gethostname())
    print(
        f"this host's audit head re-anchored by {by} at audit entry {anchored['entry']} (the chain verified whole to "
        f"entry {anchored['end']} before it): {anchored['said']}"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    # deferred: start-up time (`missions --help` loads every area)
    from ai_missions.services.audit import export

    count = export(_store(), args.file)
    print(f"{count} audit entries written to {args.file}")
    return 0
