"""Site schema 3 (issue 14's recording target): the columns the history selects on, generated
from the signed content with one parse of it each instead of five in all; the reads that check
the chain before each record or history, as one function whose plans the server keeps.

Why: a record's content is about 8 kB of JSON, and schemas 1-2 generated ``patient_key``,
``administered_on`` and ``kind`` with ``content::jsonb`` in each use: five full parses into
``jsonb`` per INSERT (``kind`` alone three), about half of the INSERT's time on the server.
Schema 3 generates the same values from the same signed content, parsing it as ``json`` (a
validating pass, then a scan; no tree is built) once per column, ``kind`` by
``ixempra.record_kind`` (the rule of journal/kinds.py, one parse for a record that names its
kind). Same values for every record the app writes: strings read by ``->>`` (for duplicate
keys the last one, as ``jsonb`` and Python's ``json``); the app's checks compare each column
with the content as before. Still generated: no client, and no superuser with the triggers
off, writes them on their own. The indexes and constraints on them are made again; the table
is rewritten once (``site-init`` holds its lock meanwhile).
"""

from __future__ import annotations

from ixempra_gui.journal.kinds import kind_sql


def _kind_function() -> str:
    expression = kind_sql(
        lambda path: "k" if path == "$.kind" else "((content::json) ->> 'status')"
    )
    return f"""
CREATE FUNCTION ixempra.record_kind(content text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    k text := (content::json) ->> 'kind';
BEGIN
    RETURN {expression};
END
$$;
REVOKE ALL ON FUNCTION ixempra.record_kind(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ixempra.record_kind(text) TO ixempra_pharmacist;
"""


_COLUMNS = r"""
ALTER TABLE ixempra.records DROP COLUMN kind, DROP COLUMN administered_on,
    DROP COLUMN patient_key;
ALTER TABLE ixempra.records
    ADD COLUMN patient_key text GENERATED ALWAYS AS ((content::json) ->> 'patient_key') STORED,
    ADD COLUMN administered_on text
        GENERATED ALWAYS AS ((content::json) ->> 'administered_on') STORED
        CHECK (administered_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    ADD COLUMN kind text GENERATED ALWAYS AS (ixempra.record_kind(content)) STORED;
ALTER TABLE ixempra.records
    ADD CONSTRAINT records_recorded_dose_verified
        CHECK (origin <> 'recorded' OR kind <> 'dose' OR verification_id IS NOT NULL),
    ADD CONSTRAINT records_verification_only_for_doses
        CHECK (verification_id IS NULL OR (origin = 'recorded' AND kind = 'dose'));
CREATE INDEX records_by_patient ON ixempra.records (patient_key, administered_on, id);
CREATE INDEX records_by_kind ON ixempra.records (kind, id);
ANALYZE ixempra.records;
"""


# The reads that check the chain before any work uses it (postgres/checks.py, one round trip),
# as one function whose plans the server keeps for the session: the same statements, in the
# same order, sent as text and parsed and planned again for every dose before (about 0.2 ms).
# With p_lock the chain lock is taken first, and each read after it (READ COMMITTED: a
# snapshot per statement) sees every record committed before; without it, the caller's
# REPEATABLE READ snapshot holds for all. Parts: 0 the head, 1 the highest id, 2 the records
# from the last walked one on and the anchored one, 3 the patient's records whose content no
# longer gives their hash, 4 the records read before (id = any p_seen), 5 the history's
# records (the window from p_start on, and the last dose on or before p_day).
CHECKED_READ = r"""
CREATE FUNCTION ixempra.checked_read(
    p_lock boolean, p_walked bigint, p_anchor bigint, p_key text, p_seen bigint[],
    p_start text, p_day text)
RETURNS TABLE (part integer, id bigint, hash text, content text, patient_key text,
               administered_on text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
BEGIN
    IF p_lock THEN
        RETURN QUERY SELECT 0, l.last_id, l.last_hash, NULL::text, NULL::text, NULL::text
            FROM ixempra.lock_chain() AS l;
    ELSE
        RETURN QUERY SELECT 0, h.last_id, h.last_hash, NULL::text, NULL::text, NULL::text
            FROM ixempra.chain_head AS h;
    END IF;
    RETURN QUERY SELECT 1, coalesce(max(r.id), 0), NULL::text, NULL::text, NULL::text,
        NULL::text FROM ixempra.records AS r;
    RETURN QUERY SELECT 2, r.id, r.hash, r.content, r.patient_key, r.administered_on
        FROM ixempra.records AS r WHERE r.id >= p_walked OR r.id = p_anchor ORDER BY r.id;
    IF p_key IS NOT NULL THEN
        RETURN QUERY SELECT 3, r.id, NULL::text, NULL::text, NULL::text, NULL::text
            FROM ixempra.records AS r
            WHERE r.patient_key = p_key
              AND r.hash <> encode(sha256(convert_to(r.content, 'UTF8')), 'hex');
    END IF;
    IF cardinality(p_seen) > 0 THEN
        RETURN QUERY SELECT 4, r.id, r.hash, NULL::text, r.patient_key, r.administered_on
            FROM ixempra.records AS r WHERE r.id = ANY (p_seen);
    END IF;
    IF p_start IS NOT NULL THEN
        RETURN QUERY SELECT 5, u.id, u.hash, u.content, u.patient_key, u.administered_on FROM (
            (SELECT r.id, r.hash, r.content, r.patient_key, r.administered_on
             FROM ixempra.records AS r
             WHERE r.patient_key = p_key AND r.administered_on >= p_start)
            UNION
            (SELECT r.id, r.hash, r.content, r.patient_key, r.administered_on
             FROM ixempra.records AS r
             WHERE r.patient_key = p_key AND r.administered_on <= p_day
             ORDER BY r.administered_on DESC, r.id DESC LIMIT 1)) AS u
            ORDER BY u.id;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION ixempra.checked_read(boolean, bigint, bigint, text, bigint[], text, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ixempra.checked_read(boolean, bigint, bigint, text, bigint[], text,
    text) TO ixempra_pharmacist;
"""


def v3_sql() -> str:
    """Migration 3's SQL."""
    return _kind_function() + _COLUMNS + CHECKED_READ
