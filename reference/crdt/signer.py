"""How an honest replica signs its updates (CR-ID-5), for configs whose keys are the published test keys.

A trace holds signatures, not keys: whoever writes a trace signs its updates. Engines and tests write
honest updates through ``sign_update``, which fills in the issuer's public key and an Ed25519 signature
over exactly the record the model will build, so the model's verification is the real check.
"""

from __future__ import annotations

from dataclasses import replace

from peerproof.reference.crdt import counter, lww, oplog
from peerproof.reference.crdt.config import Config
from peerproof.reference.crdt.events import Update
from peerproof.reference.crdt.identity import public_hex, sign, test_private_key
from peerproof.reference.crdt.network import State, to_op


def test_keys(config: Config) -> bool:
    """Whether every replica's configured key is its published test key (so traces can be signed)."""
    return all(public_hex(test_private_key(r)) == config.keys.get(r) for r in config.replicas)


def sign_update(config: Config, state: State, event: Update, as_replica: str | None = None) -> Update:
    """The update signed with ``as_replica``'s test key (default: the issuer's), as the network state stands."""
    if config.scheme != "ed25519" or event.op not in ("set", "remove", "append", "inc", "dec"):
        return event
    key = test_private_key(as_replica or event.replica)
    pub = public_hex(key)
    op = to_op(config, replace(state, now_ms=event.at_ms), replace(event, pubkey=pub))
    if config.type == "pn-counter":
        local = state.replicas[event.replica].state
        p, n = local.p.get(op.writer, 0), local.n.get(op.writer, 0)
        p, n = (p + op.amount, n) if op.op == "inc" else (p, n + op.amount)
        return replace(event, pubkey=pub, sig=sign(key, counter.signed_fields(op.writer, p, n)))
    if config.type == "op-log":
        local = state.replicas[event.replica].state
        preds = oplog.heads(local)
        seq = op.seq or 1 + sum(1 for o in local.ops.values() if o.writer == op.writer)
        o = oplog.LogOp(oplog.op_id(config.rule, op.writer, op.value or "", preds, seq), op.writer, op.value or "",
                        preds, seq)
        return replace(event, pubkey=pub, sig=sign(key, o.signed_fields()))
    target = lww.target(config, op)
    entry = lww.Entry(op.ts_ms, op.expiry_ms, op.writer, op.value if op.op == "set" else None)
    return replace(event, pubkey=pub, sig=sign(key, entry.signed_fields(*target)))
