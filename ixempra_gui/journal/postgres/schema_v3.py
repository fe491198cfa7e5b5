"""Site schema 3: the columns the history selects on, generated from the signed content with
one parse of it each instead of five in all (issue 14's recording target).

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


def v3_sql() -> str:
    """Migration 3's SQL."""
    return _kind_function() + _COLUMNS
