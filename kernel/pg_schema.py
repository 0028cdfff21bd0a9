"""The run store's migration steps as Postgres runs them.

Most steps of :data:`ai_missions.kernel.store.MIGRATIONS` are portable SQL and run on Postgres as written (translated by
:func:`ai_missions.kernel.database.to_postgres`: ``WITHOUT ROWID`` dropped, ``INSERT OR IGNORE`` as ``ON CONFLICT DO
NOTHING``). The few that use SQLite-only features (triggers, ``json_each``) have their Postgres form here, keyed by
version: the same tables, indexes and guarantees (citations kept by a trigger, an append-only audit trail).
"""

from __future__ import annotations

from ai_missions.kernel.database import to_postgres

#: "PAY-001@3" split into id and version, as SQL over a text ``c`` (a version that is not a number reads 0).
_CITED = (
    "split_part(c, '@', 1),"
    " CASE WHEN split_part(c, '@', 2) ~ '^[0-9]{1,9}$' THEN split_part(c, '@', 2)::integer ELSE 0 END"
)

#: The policy ids a verdict's JSON text cites (none when the text is not JSON or has no list).
_POLICY_IDS = (
    "jsonb_array_elements(CASE WHEN jsonb_typeof(missions_json({data}) -> 'policy_ids') = 'array'"
    " THEN missions_json({data}) -> 'policy_ids' ELSE '[]'::jsonb END) AS p,"
    " LATERAL (SELECT p #>> '{{}}' AS c WHERE jsonb_typeof(p) = 'string') AS t"
)

_V3 = f"""
CREATE INDEX IF NOT EXISTS runs_by_updated ON runs (updated_at);
CREATE INDEX IF NOT EXISTS decisions_by_decided ON decisions (decided_at) WHERE decided_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS citations (
    policy_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    run_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (policy_id, run_id, version)
);
CREATE INDEX IF NOT EXISTS citations_by_policy_at ON citations (policy_id, at);
CREATE OR REPLACE FUNCTION missions_json(text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN $1::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION citations_of_verdicts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'verdict' THEN
        INSERT INTO citations (policy_id, version, run_id, at)
        SELECT {_CITED}, NEW.run_id, NEW.at FROM {_POLICY_IDS.format(data="NEW.data")}
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER citations_of_verdicts AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION citations_of_verdicts();
INSERT INTO citations (policy_id, version, run_id, at)
SELECT {_CITED}, e.run_id, e.at FROM events AS e, {_POLICY_IDS.format(data="e.data")}
WHERE e.kind = 'verdict'
ON CONFLICT DO NOTHING;
"""

_V4 = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL REFERENCES accounts (name),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    n INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    run_id TEXT,
    kind TEXT NOT NULL,
    actor TEXT,
    summary TEXT,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
ALTER TABLE decisions ADD COLUMN due_at TEXT;
CREATE INDEX IF NOT EXISTS decisions_by_due ON decisions (status, due_at, created_at);
CREATE OR REPLACE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END $$;
CREATE OR REPLACE TRIGGER audit_no_update BEFORE UPDATE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE OR REPLACE TRIGGER audit_no_delete BEFORE DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
"""

#: Steps whose SQLite script does not run on Postgres, in their Postgres form.
POSTGRES_STEPS: dict[int, str] = {3: _V3, 4: _V4}


def postgres_statements(version: int, sqlite_script: str, split: list[str]) -> list[str]:
    """The statements of migration step ``version`` for Postgres: its own form if it has one, else the portable
    step's statements (``split``, as SQLite split them) translated one by one."""
    if version in POSTGRES_STEPS:
        return [POSTGRES_STEPS[version]]
    return [to_postgres(s.strip().rstrip(";"), placeholders=False) for s in split if s.strip()]
