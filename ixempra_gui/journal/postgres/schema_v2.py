"""Site schema 2 (issue 16): records name their kind, and pharmacists may append the
preparation of a dose and the near misses of its kit scans (never change either).

- ``kind`` (dose, preparation, near_miss, journal_start; journal/kinds.py) is a column the
  server generates from the signed content, as ``patient_key`` and ``administered_on``;
- a verification belongs to a recorded dose only (the constraint ``records_check`` becomes
  two: a recorded dose has one, nothing else has one);
- ``records_before_insert`` is replaced: as before for doses, migrated records and the chain;
  a recorded preparation or near miss must be marked authenticated, name the inserting login
  as its compounder (``compounded_by``) or scanner (``scanned_by``), sign its patient key,
  carry no administration date and no verification, and name (by id and hash) a dose already
  on this journal of the same patient.
The grants stay: SELECT and INSERT only; UPDATE, DELETE and TRUNCATE are refused as before.
"""

from __future__ import annotations

from ixempra_gui.journal.kinds import kind_sql

SQLSTATE_DOSE_REFERENCE = "IXC02"  # a preparation or near miss naming no dose of its patient


def _content(path: str) -> str:
    return f"((content::jsonb) ->> '{path.removeprefix('$.')}')"


V2 = rf"""
ALTER TABLE ixempra.records ADD COLUMN kind text
    GENERATED ALWAYS AS ({kind_sql(_content)}) STORED;
CREATE INDEX records_by_kind ON ixempra.records (kind, id);
ALTER TABLE ixempra.records DROP CONSTRAINT records_check;
ALTER TABLE ixempra.records ADD CONSTRAINT records_recorded_dose_verified
    CHECK (origin <> 'recorded' OR kind <> 'dose' OR verification_id IS NOT NULL);
ALTER TABLE ixempra.records ADD CONSTRAINT records_verification_only_for_doses
    CHECK (verification_id IS NULL OR (origin = 'recorded' AND kind = 'dose'));

CREATE OR REPLACE FUNCTION ixempra.records_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    head record;
    v record;
    c jsonb;
    m jsonb;
    pid text;
    rkind text;
    person text;
    who text := session_user;
BEGIN
    IF NOT pg_has_role(who, 'ixempra_pharmacist', 'MEMBER') THEN
        RAISE EXCEPTION 'ixempra: % is not a member of ixempra_pharmacist', who
            USING ERRCODE = '42501';
    END IF;
    SELECT h.last_id, h.last_hash INTO head FROM ixempra.chain_head AS h FOR UPDATE;
    IF NEW.id IS DISTINCT FROM head.last_id + 1 THEN
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
        OR c->>'prev_hash' IS DISTINCT FROM head.last_hash
    THEN
        RAISE EXCEPTION 'ixempra: record %: its content does not name its place in the chain',
            NEW.id USING ERRCODE = 'IXC01';
    END IF;
    IF c ? 'patient_id' OR c ? 'patient_key' THEN
        pid := c->>'patient_id';
        IF jsonb_typeof(c->'patient_id') IS DISTINCT FROM 'string'
            OR jsonb_typeof(c->'patient_key') IS DISTINCT FROM 'string'
            OR (pid ~ '^[\x20-\x7e]*$' AND c->>'patient_key' IS DISTINCT FROM
                translate(replace(pid, ' ', ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                          'abcdefghijklmnopqrstuvwxyz'))
        THEN
            RAISE EXCEPTION 'ixempra: record %: its patient key is not its patient id''s', NEW.id
                USING ERRCODE = 'IXC01';
        END IF;
    END IF;
    rkind := coalesce(c->>'kind', CASE c->>'status' WHEN 'verified' THEN 'dose'
                                                    WHEN 'journal_started' THEN 'journal_start'
                                  END);
    NEW.prepared_by := who;
    NEW.inserted_at := now();
    IF NEW.origin = 'recorded' AND rkind IN ('preparation', 'near_miss') THEN
        person := CASE rkind WHEN 'preparation' THEN c->>'compounded_by'
                             ELSE c->>'scanned_by' END;
        IF person IS DISTINCT FROM who OR c->'authenticated' IS DISTINCT FROM 'true'
            OR c->>'kind' IS DISTINCT FROM rkind OR NOT c ? 'patient_key'
            OR c ? 'administered_on' OR NEW.verification_id IS NOT NULL
        THEN
            RAISE EXCEPTION 'ixempra: record %: a % is recorded by the signed-in user % alone',
                NEW.id, rkind, who USING ERRCODE = 'IXC01';
        END IF;
        IF jsonb_typeof(c->'dose_record') IS DISTINCT FROM 'object'
            OR jsonb_typeof(c->'dose_record'->'id') IS DISTINCT FROM 'number'
            OR jsonb_typeof(c->'dose_record'->'hash') IS DISTINCT FROM 'string'
            OR coalesce(c->'dose_record'->>'id', '') !~ '^[1-9][0-9]{{0,17}}$'
            OR NOT EXISTS (
                SELECT 1 FROM ixempra.records AS d
                WHERE d.id = (c->'dose_record'->>'id')::bigint
                  AND d.hash = c->'dose_record'->>'hash'
                  AND d.kind = 'dose'
                  AND d.patient_key = c->>'patient_key')
        THEN
            RAISE EXCEPTION 'ixempra: record %: the % names no dose of its patient in this journal',
                NEW.id, rkind USING ERRCODE = '{SQLSTATE_DOSE_REFERENCE}';
        END IF;
        NEW.verified_by := NULL;
        NEW.source_journal := NULL;
        NEW.source_record_id := NULL;
        NEW.source_hash := NULL;
    ELSIF NEW.origin = 'recorded' THEN
        IF c->>'prepared_by' IS DISTINCT FROM who OR c->'authenticated' IS DISTINCT FROM 'true'
            OR c->>'status' IS DISTINCT FROM 'verified' OR NOT c ? 'patient_key'
            OR rkind IS DISTINCT FROM 'dose'
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
"""


def v2_sql(verification_minutes: int) -> str:
    """Migration 2's SQL."""
    return V2.replace("@VERIFICATION_MINUTES@", str(int(verification_minutes)))
