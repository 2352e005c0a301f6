"""Writer identities (CR-ID-1..3): a writer id is the hash of an Ed25519 public key; records are signed.

Signatures are real: ``cryptography``'s Ed25519 signs and verifies the canonical bytes of a record. A
record that fails verification is a *rejected op* in the model (counted, never applied), not a crash.
The bundled configs use test keys derived from a public seed (``test_private_key``): anyone can sign
with them, which is what a test config needs and what a deployment must never do.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ID_HEX_CHARS = 16  # CR-ID-1: 64 bits of SHA-256 name a writer (hivemind's owner marker carries the whole key)
TEST_SEED = "peerproof-crdt-test-key:"


def writer_id(public_key_hex: str) -> str:
    """CR-ID-1: the writer id a public key speaks for (a prefix of SHA-256 of its raw bytes)."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:ID_HEX_CHARS]


def payload(fields: Any) -> bytes:
    """CR-ID-2: the canonical bytes a record's signature covers (JSON, sorted keys, no spaces)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def test_private_key(name: str) -> Ed25519PrivateKey:
    """The public test key of replica ``name`` (derived from a published seed: for configs and traces only)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256((TEST_SEED + name).encode()).digest())


def public_hex(key: Ed25519PrivateKey) -> str:
    """The raw public key of a private key, in hex."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sign(key: Ed25519PrivateKey, fields: Any) -> str:
    """An Ed25519 signature over a record's canonical bytes, in hex."""
    return key.sign(payload(fields)).hex()


def verify(public_key_hex: str | None, signature_hex: str | None, fields: Any) -> bool:
    """CR-ID-3: whether ``signature_hex`` is a valid Ed25519 signature of ``fields`` under the key."""
    if not public_key_hex or not signature_hex:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), payload(fields))
    except (ValueError, InvalidSignature):
        return False
    return True


def is_hex(text: str, length: int | None = None) -> bool:
    """Whether ``text`` is lower/upper-case hex of the given length (in characters)."""
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return length is None or len(text) == length
