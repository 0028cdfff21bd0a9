"""Bad configuration of the shared state: an unusable ``MISSIONS_DATABASE_URL`` (not a Postgres URL, nothing
listening, a role the server refuses) or a schema from a newer version is one line naming the setting; a failed
migration step leaves the schema and its data as they were (Postgres DDL is transactional)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_missions.cli import main
from ai_missions.evals.store import EvalStore
from ai_missions.kernel import store as store_module
from ai_missions.kernel.database import SETTING, DatabaseConfigError, to_postgres
from ai_missions.kernel.store import SCHEMA_VERSION, RunStore, StoreVersionError
from tests.support.postgres import SERVER, fresh_schema, require_server


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://root@127.0.0.1/missions", "must be a postgresql:// URL"),
        ("postgresql://postgres@127.0.0.1:1/test", "cannot use postgresql://postgres@127.0.0.1:1/test"),
        pytest.param(
            "postgresql://nobody:secret@127.0.0.1:5432/test",
            "cannot use postgresql://nobody:***@127.0.0.1:5432/test",
            marks=pytest.mark.postgres,
        ),
    ],
)
def test_an_unusable_database_url_is_one_line_naming_the_setting(
    url: str, says: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if "5432" in url:
        require_server()  # the server must answer for its refusal to be checked
    monkeypatch.setenv(SETTING, url)
    for command in (["runs"], ["queue"], ["eval", "runs"]):
        assert main(command) == 2
        error = capsys.readouterr().err.strip()
        assert "\n" not in error
        assert error.startswith(f"missions: error: {SETTING}"), error
        assert says in error
        assert "secret" not in error
    with pytest.raises(DatabaseConfigError, match=SETTING):
        EvalStore(tmp_path / "evals")
    assert not (tmp_path / "runs.sqlite").exists()  # never fell back to a local file


@pytest.mark.postgres
def test_a_schema_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    with fresh_schema() as url:
        store = RunStore(tmp_path / "runs.sqlite", url=url)
        store.create_run("R-1", mission="m", subject_id="S-1", reasoner="offline", case_types=[])
        store.set_meta("schema_version", str(SCHEMA_VERSION + 1))
        with pytest.raises(StoreVersionError, match=f"in {SETTING} .*newer than this version"):
            RunStore(tmp_path / "runs.sqlite", url=url)
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION + 1)
        assert store.get_run("R-1")["subject_id"] == "S-1"


@pytest.mark.postgres
def test_a_failing_migration_step_leaves_nothing_half_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with fresh_schema() as url:
        store = RunStore(tmp_path / "runs.sqlite", url=url)
        store.create_run("R-1", mission="m", subject_id="S-1", reasoner="offline", case_types=["a"])
        broken = (
            SCHEMA_VERSION + 1,
            "CREATE TABLE half_done (n INTEGER);\nALTER TABLE runs ADD COLUMN extra TEXT;\nSELECT no_such_function();",
        )
        monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, broken))
        monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
        with pytest.raises(Exception, match="no_such_function"):
            RunStore(tmp_path / "runs.sqlite", url=url)
        db = store.read()
        assert db.execute("SELECT to_regclass('half_done')").fetchone()[0] is None
        assert "extra" not in store.get_run("R-1")
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert store.get_run("R-1")["case_types"] == ["a"]


def test_portable_sql_is_translated_for_postgres() -> None:
    assert to_postgres("SELECT * FROM t WHERE a = ? AND b LIKE ? || '%'") == (
        "SELECT * FROM t WHERE a = %s AND b LIKE %s || '%%'"
    )
    assert (
        to_postgres("INSERT OR IGNORE INTO t (a) VALUES (?)") == "INSERT INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING"
    )
    assert to_postgres("SELECT '?' FROM t WHERE a = ?") == "SELECT '?' FROM t WHERE a = %s"
    assert "WITHOUT ROWID" not in to_postgres("CREATE TABLE t (a TEXT PRIMARY KEY) WITHOUT ROWID", placeholders=False)
    assert SERVER.startswith("postgresql://")
