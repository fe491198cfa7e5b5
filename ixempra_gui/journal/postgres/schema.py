"""The site journal's schema on PostgreSQL, its version, and ``site-init``'s migrations.

Roles: ``ixempra_owner`` (NOLOGIN) owns every object and is used only by ``site-init``;
``ixempra_pharmacist`` (NOLOGIN group) may SELECT, INSERT a record and INSERT a verification,
nothing else: no UPDATE, DELETE or TRUNCATE privilege, and triggers refuse those statements for
everyone else too (the owner included; a superuser can still disable triggers: that bypass is
what ``ixempra-journal verify --expect-head`` with a head kept elsewhere catches).

What the server enforces on every INSERT (``records_before_insert``, run as the owner):
- the inserting login (``session_user``) is a member of ``ixempra_pharmacist`` and becomes
  ``prepared_by`` (the content must say the same);
- the record extends the chain: id = head id + 1, prev_hash = head hash, under the head row's
  lock (taken first by ``lock_chain()`` in the client's transaction, so its history read and its
  insert see one chain; two workstations can never fork it), hash = SHA-256 of the content,
  the content's id, prev_hash, date, patient and time equal the columns;
- a recorded dose names a verification written by the verifier's own session (``verifications``:
  ``verifier`` = that session's user, bound to the calculation's hash), not older than
  ``VERIFICATION_MINUTES``, used once, whose verifier is not the inserting login;
- a migrated record (from a workstation's SQLite journal) embeds the original content and hash
  verbatim (the hash is checked) and is marked not authenticated.

Migrations are numbered; each runs once inside ``site-init``'s transaction, recorded in
``ixempra.schema_version``. A server newer than the app is refused, not guessed at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SCHEMA = "ixempra"
OWNER_ROLE = "ixempra_owner"
PHARMACIST_ROLE = "ixempra_pharmacist"
SCHEMA_VERSION = 1
VERIFICATION_MINUTES = 15  # a verification must be used this soon after the verifier signed
SITE_INIT_LOCK = 0x1C5E_4A11  # pg_advisory_xact_lock key: one site-init at a time

# Custom SQLSTATEs raised by the triggers (class "IX"), classified by postgres.errors.
SQLSTATE_VERIFICATION = "IXV01"  # missing, expired, used, or not for this calculation
SQLSTATE_SAME_PERSON = "IXV02"  # the verifier is the inserting login
SQLSTATE_CHAIN = "IXC01"  # the record does not extend the chain, or its content disagrees
SQLSTATE_APPEND_ONLY = "IXA01"  # UPDATE, DELETE or TRUNCATE

_V1 = r"""
CREATE TABLE ixempra.site (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    site_id uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO ixempra.site DEFAULT VALUES;

CREATE TABLE ixempra.chain_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    last_id bigint NOT NULL,
    last_hash text NOT NULL
);
INSERT INTO ixempra.chain_head VALUES (true, 0, repeat('0', 64));

CREATE TABLE ixempra.verifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    verifier text NOT NULL,
    calculation_hash text NOT NULL CHECK (calculation_hash ~ '^[0-9a-f]{64}$'),
    verified_at timestamptz NOT NULL
);

CREATE TABLE ixempra.records (
    id bigint PRIMARY KEY CHECK (id > 0),
    recorded_at text NOT NULL,
    patient_id text NOT NULL,
    patient_key text NOT NULL,
    administered_on text NOT NULL CHECK (administered_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    prev_hash text NOT NULL UNIQUE,
    hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    content text NOT NULL,
    origin text NOT NULL CHECK (origin IN ('recorded', 'migrated')),
    prepared_by text NOT NULL,
    verified_by text,
    verification_id bigint UNIQUE REFERENCES ixempra.verifications (id),
    source_journal text,
    source_record_id bigint,
    source_hash text,
    inserted_at timestamptz NOT NULL,
    UNIQUE (source_journal, source_record_id, source_hash),
    CHECK ((origin = 'recorded') = (verification_id IS NOT NULL)),
    CHECK ((origin = 'migrated') = (source_journal IS NOT NULL AND source_record_id IS NOT NULL
                                    AND source_hash IS NOT NULL))
);
CREATE INDEX records_by_patient ON ixempra.records (patient_key, administered_on, id);
DO $$
BEGIN  -- lz4 compresses a record's content several times faster than pglz, where built in
    IF 'lz4' = ANY ((SELECT enumvals FROM pg_settings
                     WHERE name = 'default_toast_compression')::text[]) THEN
        ALTER TABLE ixempra.records ALTER COLUMN content SET COMPRESSION lz4;
    END IF;
END
$$;

-- The chain lock: the head row, locked for the rest of the caller's transaction.
CREATE FUNCTION ixempra.lock_chain(OUT last_id bigint, OUT last_hash text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT h.last_id, h.last_hash FROM ixempra.chain_head AS h FOR UPDATE
$$;

CREATE FUNCTION ixempra.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'ixempra: % on %.% is refused: the journal is append-only',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'IXA01';
END
$$;

CREATE FUNCTION ixempra.head_only_from_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN  -- only records_before_insert moves the head
        RAISE EXCEPTION 'ixempra: the chain head moves only when a record is inserted'
            USING ERRCODE = 'IXA01';
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION ixempra.verifications_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT pg_has_role(session_user, 'ixempra_pharmacist', 'MEMBER') THEN
        RAISE EXCEPTION 'ixempra: % is not a member of ixempra_pharmacist', session_user
            USING ERRCODE = '42501';
    END IF;
    NEW.verifier := session_user;  -- the verifier's own authenticated session, never a name
    NEW.verified_at := now();
    RETURN NEW;
END
$$;

CREATE FUNCTION ixempra.records_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    head record;
    v record;
    c jsonb;
    m jsonb;
    who text := session_user;
BEGIN
    IF NOT pg_has_role(who, 'ixempra_pharmacist', 'MEMBER') THEN
        RAISE EXCEPTION 'ixempra: % is not a member of ixempra_pharmacist', who
            USING ERRCODE = '42501';
    END IF;
    SELECT h.last_id, h.last_hash INTO head FROM ixempra.chain_head AS h FOR UPDATE;
    IF NEW.id IS DISTINCT FROM head.last_id + 1 OR NEW.prev_hash IS DISTINCT FROM head.last_hash
    THEN
        RAISE EXCEPTION 'ixempra: record % does not extend the chain (its head is record %)',
            NEW.id, head.last_id USING ERRCODE = 'IXC01';
    END IF;
    IF octet_length(NEW.content) <> char_length(NEW.content) THEN  -- ASCII, as hashed
        RAISE EXCEPTION 'ixempra: record % is not canonical ASCII JSON', NEW.id
            USING ERRCODE = 'IXC01';
    END IF;
    IF NEW.hash IS DISTINCT FROM encode(sha256(convert_to(NEW.content, 'UTF8')), 'hex') THEN
        RAISE EXCEPTION 'ixempra: record %: hash is not the SHA-256 of its content', NEW.id
            USING ERRCODE = 'IXC01';
    END IF;
    c := NEW.content::jsonb;
    IF jsonb_typeof(c) IS DISTINCT FROM 'object'
        OR c->>'id' IS DISTINCT FROM NEW.id::text
        OR c->>'prev_hash' IS DISTINCT FROM NEW.prev_hash
        OR c->>'recorded_at' IS DISTINCT FROM NEW.recorded_at
        OR c->>'patient_id' IS DISTINCT FROM NEW.patient_id
        OR c->>'administered_on' IS DISTINCT FROM NEW.administered_on
    THEN
        RAISE EXCEPTION 'ixempra: record %: its columns differ from its content', NEW.id
            USING ERRCODE = 'IXC01';
    END IF;
    NEW.prepared_by := who;
    NEW.inserted_at := now();
    IF NEW.origin = 'recorded' THEN
        IF c->>'prepared_by' IS DISTINCT FROM who OR c->'authenticated' IS DISTINCT FROM 'true'
        THEN
            RAISE EXCEPTION 'ixempra: record %: prepared_by must be the signed-in user %',
                NEW.id, who USING ERRCODE = 'IXC01';
        END IF;
        SELECT * INTO v FROM ixempra.verifications WHERE id = NEW.verification_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'ixempra: record %: its verification is missing', NEW.id
                USING ERRCODE = 'IXV01';
        END IF;
        IF v.verifier = who THEN
            RAISE EXCEPTION 'ixempra: record %: % verified their own calculation', NEW.id, who
                USING ERRCODE = 'IXV02';
        END IF;
        IF v.calculation_hash IS DISTINCT FROM c->>'calculation_hash'
            OR c->>'verified_by' IS DISTINCT FROM v.verifier
            OR c->>'verification_id' IS DISTINCT FROM v.id::text
        THEN
            RAISE EXCEPTION 'ixempra: record %: verification % is for another calculation',
                NEW.id, v.id USING ERRCODE = 'IXV01';
        END IF;
        IF v.verified_at < now() - make_interval(mins => @VERIFICATION_MINUTES@) THEN
            RAISE EXCEPTION 'ixempra: record %: verification % has expired (older than % min)',
                NEW.id, v.id, @VERIFICATION_MINUTES@ USING ERRCODE = 'IXV01';
        END IF;
        NEW.verified_by := v.verifier;
        NEW.source_journal := NULL;
        NEW.source_record_id := NULL;
        NEW.source_hash := NULL;
    ELSIF NEW.origin = 'migrated' THEN
        m := c->'migrated_from';
        IF c->>'migrated_by' IS DISTINCT FROM who
            OR c->'authenticated' IS DISTINCT FROM 'false'
            OR jsonb_typeof(m) IS DISTINCT FROM 'object'
            OR m->>'journal' IS DISTINCT FROM NEW.source_journal
            OR m->>'record_id' IS DISTINCT FROM NEW.source_record_id::text
            OR m->>'hash' IS DISTINCT FROM NEW.source_hash
            OR octet_length(m->>'content') <> char_length(m->>'content')
            OR NEW.source_hash IS DISTINCT FROM
                encode(sha256(convert_to(m->>'content', 'UTF8')), 'hex')
        THEN
            RAISE EXCEPTION 'ixempra: record %: not a faithful copy of a journal record', NEW.id
                USING ERRCODE = 'IXC01';
        END IF;
        NEW.verified_by := NULL;
        NEW.verification_id := NULL;
    END IF;
    UPDATE ixempra.chain_head SET last_id = NEW.id, last_hash = NEW.hash;
    RETURN NEW;
END
$$;

CREATE TRIGGER records_before_insert BEFORE INSERT ON ixempra.records
    FOR EACH ROW EXECUTE FUNCTION ixempra.records_before_insert();
CREATE TRIGGER verifications_before_insert BEFORE INSERT ON ixempra.verifications
    FOR EACH ROW EXECUTE FUNCTION ixempra.verifications_before_insert();
CREATE TRIGGER chain_head_moves_on_insert_only BEFORE UPDATE ON ixempra.chain_head
    FOR EACH ROW EXECUTE FUNCTION ixempra.head_only_from_insert();
"""

# Every table refuses UPDATE, DELETE and TRUNCATE (the head: DELETE and TRUNCATE; its UPDATE is
# the insert trigger's alone).
_APPEND_ONLY = {
    "records": "UPDATE OR DELETE",
    "verifications": "UPDATE OR DELETE",
    "site": "UPDATE OR DELETE",
    "schema_version": "UPDATE OR DELETE",
    "chain_head": "DELETE",
}


def _append_only_sql(tables: dict[str, str]) -> str:
    parts = []
    for table, events in tables.items():
        parts.append(
            f"CREATE TRIGGER {table}_append_only BEFORE {events} ON ixempra.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ixempra.refuse_change();\n"
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON ixempra.{table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ixempra.refuse_change();"
        )
    return "\n".join(parts)


_V1_GRANTS = """
REVOKE ALL ON ALL TABLES IN SCHEMA ixempra FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ixempra FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA ixempra TO ixempra_pharmacist;
GRANT INSERT ON ixempra.records, ixempra.verifications TO ixempra_pharmacist;
GRANT EXECUTE ON FUNCTION ixempra.lock_chain() TO ixempra_pharmacist;
"""


def _v1_sql() -> str:
    body = _V1.replace("@VERIFICATION_MINUTES@", str(int(VERIFICATION_MINUTES)))
    return body + _append_only_sql(_APPEND_ONLY) + _V1_GRANTS


@dataclass(frozen=True)
class Migration:
    version: int
    summary: str
    sql: Callable[[], str]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "records, verifications, chain head, append-only triggers, grants", _v1_sql),
)


# Run by site-init before the migrations, as the administrator: roles (cluster-wide, so
# created only when missing), the owner's rights on this database, and the schema itself.
BOOTSTRAP_ROLES = r"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ixempra_owner') THEN
        CREATE ROLE ixempra_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ixempra_pharmacist') THEN
        CREATE ROLE ixempra_pharmacist NOLOGIN;
    END IF;
END
$$;
"""

CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS ixempra.schema_version (
    version integer PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT session_user,
    app_version text NOT NULL,
    summary text NOT NULL
)
"""


def migration_plan(found: int) -> list[Migration]:
    """The migrations a server at version ``found`` still needs."""
    return [m for m in MIGRATIONS if m.version > found]


def version_row_params(migration: Migration, app_version: str) -> dict[str, Any]:
    return {"version": migration.version, "app": app_version, "summary": migration.summary}
