"""What refuses a dose before the site journal records it: the session, the identifiers, the
verifier's own sign-in, a ready dose. Nothing is written when any stands.

``may_send_first`` is the part the recording's first round trip needs (postgres/store.py): it
is judged before that round trip leaves, the rest while the server works on it.
"""

from __future__ import annotations

from ixempra_gui.journal.entries import NewRecord, record_problems
from ixempra_gui.journal.errors import InvalidRecord, JournalError, RecordRefused
from ixempra_gui.journal.identifiers import same_person
from ixempra_gui.journal.postgres.session import VerifierSession
from ixempra_gui.system.site_settings import MAX_PATTERN_ID_CHARS

#: The longest identifier sent before it is judged (longer ones are refused before sending).
_BINDABLE_ID_CHARS = 4 * MAX_PATTERN_ID_CHARS


def may_send_first(new: NewRecord, verifier: VerifierSession | None, *, read_only: bool) -> bool:
    """Whether the first round trip may leave before ``refusals`` judges the rest: a session
    that may write, a verifier, a ready dose and a patient identifier that can be bound (the
    round trip reads that patient's history: printable ASCII of a sane length, which every
    identifier the rules accept is). False: ``refusals`` raises, naming every problem."""
    patient = new.patient_id
    return (
        not read_only
        and verifier is not None
        and new.result.ready_to_prepare
        and isinstance(patient, str)
        and patient.isascii()
        and patient.isprintable()
        and 0 < len(patient) <= _BINDABLE_ID_CHARS
    )


def refusals(
    new: NewRecord,
    verifier: VerifierSession | None,
    user: str,
    site_id: str | None,
    *,
    read_only: bool,
) -> VerifierSession:
    """The verifier, when the record may be written by ``user`` on the site ``site_id``:
    JournalError (a read-only session), InvalidRecord (identifiers, a verifier missing, not
    another pharmacist), RecordRefused (no dose ready) otherwise."""
    if read_only:
        raise JournalError("the site journal was opened for reading only")
    problems = record_problems(new)
    if verifier is None:
        problems.append(
            (
                "verified_by",
                "Verified by: the site journal needs the verifier's own sign-in "
                "(their user name and password).",
            )
        )
    else:
        problems += _identity_problems(new, verifier, user, site_id)
    if problems:
        raise InvalidRecord(problems)
    assert verifier is not None
    if not new.result.ready_to_prepare:
        raise RecordRefused(
            f"no dose is ready to prepare (status {new.result.status.value}): only a "
            "ready dose can be recorded as verified"
        )
    return verifier


def _identity_problems(
    new: NewRecord, verifier: VerifierSession, user: str, site_id: str | None
) -> list[tuple[str, str]]:
    problems = []
    if verifier.user == user:
        problems.append(
            (
                "verified_by",
                f"Verified by: {verifier.user} is signed in as the preparer too; another "
                "pharmacist signs in to verify.",
            )
        )
    if verifier.site_id != site_id:
        problems.append(
            ("verified_by", "Verified by: the verifier signed in to another site journal.")
        )
    if not same_person(new.prepared_by, user):
        problems.append(
            (
                "prepared_by",
                f"Prepared by: {new.prepared_by!r} is not the signed-in user {user!r}.",
            )
        )
    if not same_person(new.verified_by, verifier.user):
        problems.append(
            (
                "verified_by",
                f"Verified by: {new.verified_by!r} is not the signed-in verifier "
                f"{verifier.user!r}.",
            )
        )
    return problems
