"""A local update as the replicated types receive it (CR-OP-1): who issues it, what it does, its metadata.

The ``update`` event of a trace is read into an ``Op`` at the issuing replica: defaults are filled in
(the stamp is the issuer's clock, the writer is the issuer's own id), so a type's ``apply`` sees one
complete record. A Byzantine replica is one whose events set the metadata themselves.
"""

from __future__ import annotations

from dataclasses import dataclass


class Rejected(Exception):
    """An update or record a replica refuses (bad signature, stamp too far ahead, broken invariant)."""


@dataclass(frozen=True)
class Op:
    """CR-OP-1: one local update: its issuer, operation, target, value and claimed metadata."""

    replica: str  # the replica that really issues it (the model's ghost knowledge, never trusted)
    op: str  # set, remove, add, inc, dec, append
    key: str
    subkey: str
    value: str | None
    amount: int
    ts_ms: int  # the stamp it carries (the issuer's clock unless the event sets one)
    expiry_ms: int | None
    writer: str  # the writer id it claims
    pubkey: str | None
    sig: str | None
    seq: int  # op-log writer-seq ids: 0 means the writer's next sequence number
    now_ms: int  # the issuer's clock when it is issued
