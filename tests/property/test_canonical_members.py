"""The canonical JSON of a content written member by member (chain.canonical_members, used by
the site journal so a dose's calculation is encoded once for its hash and its record) is the
text ``canonical_json`` writes, byte for byte: the hash a record is stored with depends on it."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ixempra_gui.journal.chain import canonical_json, canonical_members, joined_members

# Every Unicode category, surrogates included (ensure_ascii escapes them as json.dumps does).
TEXT = st.text(st.characters(), max_size=40) | st.sampled_from(["", "\u00e9", "\ud800", "9" * 5000])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0.0, -0.0, 1e-320, sys.float_info.max, 0.1, 2.2, 88.0])
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
OBJECTS = st.dictionaries(TEXT, VALUES, max_size=8)


@settings(max_examples=300, deadline=None)
@given(OBJECTS, OBJECTS)
def test_members_joined_are_the_canonical_json_of_the_union(first: dict, extra: dict) -> None:
    members = canonical_members(first)
    assert joined_members(members) == canonical_json(first)
    members.update(canonical_members(extra))
    assert joined_members(members) == canonical_json(first | extra)


def test_what_canonical_json_refuses_is_refused() -> None:
    with pytest.raises(ValueError):
        canonical_members({"dose": math.nan})
    with pytest.raises(TypeError):
        canonical_members({1: "a"})  # type: ignore[dict-item]
    assert joined_members({}) == canonical_json({}) == "{}"
