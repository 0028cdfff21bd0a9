"""The run store's migration steps as Postgres runs them.

The statements of :data:`ai_missions.kernel.store.MIGRATIONS` are portable SQL and run on Postgres as written
(translated by :func:`ai_missions.kernel.database.to_postgres`: ``WITHOUT ROWID`` dropped, ``INSERT OR IGNORE`` as
``ON CONFLICT DO NOTHING``), except the few that use SQLite-only features (triggers, ``json_each``): those steps'
Postgres forms are here, keyed by version, and stand in for them after the step's portable statements: the same
guarantees (citations kept by a trigger, an append-only audit trail) on the same tables.
"""

from __future__ import annotations

import re

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
CREATE OR REPLACE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END $$;
CREATE OR REPLACE TRIGGER audit_no_update BEFORE UPDATE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE OR REPLACE TRIGGER audit_no_delete BEFORE DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
"""

#: The Postgres form of each step's SQLite-only statements.
POSTGRES_STEPS: dict[int, str] = {3: _V3, 4: _V4}

#: What Postgres has no form of: a trigger's SQLite body, ``json_each``.
_SQLITE_ONLY = re.compile(r"^\s*CREATE\s+TRIGGER\b|\bjson_each\(", re.IGNORECASE)


def postgres_statements(version: int, split: list[str]) -> list[str]:
    """The statements of migration step ``version`` for Postgres: the step's portable statements (``split``, as
    SQLite split them) translated one by one, then the Postgres form of its SQLite-only ones."""
    portable = [s for s in split if s.strip() and not _SQLITE_ONLY.search(s)]
    statements = [to_postgres(s.strip().rstrip(";"), placeholders=False) for s in portable]
    if version in POSTGRES_STEPS:
        return [*statements, POSTGRES_STEPS[version]]
    if len(portable) < len([s for s in split if s.strip()]):
        raise ValueError(f"migration step {version} uses SQLite-only SQL and has no Postgres form")
    return statements
