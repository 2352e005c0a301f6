"""Bundled GossipSub configs derived from their clients' own formulas (GS-CFG), written as commented YAML.

Ethereum clients ship no score parameters: each computes them at start-up from chain constants, the
active validator count and its mesh degree, so a bundled Eth2 config is only reproducible together with
those inputs and the formulas. Lotus hard-codes its parameters but computes every decay with go's
``ScoreParameterDecay``. ``derivation_formulas`` holds what every derivation shares (the decay and
convergence formulas, the canonical topic mapping); ``derivation_eth2`` (formulas),
``derivation_eth2_configs`` (documents) and ``derivation_filecoin`` hold each client's own; this module
picks a client's builder and writes YAML.
Regenerate a bundled file with::

    python -m peerproof.reference.gossipsub.derivation eth2-lighthouse > spec/configs/gossipsub/eth2-lighthouse.yaml
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from peerproof.reference.gossipsub import derivation_eth2_configs, derivation_filecoin
from peerproof.reference.gossipsub.derivation_formulas import CommentPath, Derived

DERIVED_NAMES = ("eth2-lighthouse", "eth2-lodestar", "eth2-prysm", "filecoin-lotus")

def derive(name: str) -> Derived:
    """The bundled config ``name`` recomputed from its client's formulas; ValueError for other names."""
    builders = {
        "eth2-lighthouse": derivation_eth2_configs.lighthouse_derived,
        "eth2-lodestar": derivation_eth2_configs.lodestar_derived,
        "eth2-prysm": derivation_eth2_configs.prysm_derived,
        "filecoin-lotus": derivation_filecoin.lotus_derived,
    }
    if name not in builders:
        raise ValueError(f"no derivation for {name!r}; derived configs: {', '.join(DERIVED_NAMES)}")
    return builders[name]()


# --- YAML ----------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9_./\-][A-Za-z0-9_./\- ]*")
_WRAP = 100


def render_yaml(derived: Derived, header: str = "") -> str:
    """The document as YAML: comments beside their keys, shared topic mappings written once (anchors)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    anchors: dict[int, str] = {}
    _write_mapping(derived.document, (), 0, derived.comments, anchors, lines)
    return "\n".join(lines) + "\n"


def _write_mapping(mapping: Mapping[str, Any], path: CommentPath, indent: int, comments: Mapping[CommentPath, str],
                   anchors: dict[int, str], lines: list[str]) -> None:
    pad = " " * indent
    for key, value in mapping.items():
        key_path = (*path, key)
        note = comments.get(key_path)
        suffix = f"  # {note}" if note else ""
        head = f"{pad}{_scalar_key(key)}:"
        if isinstance(value, Mapping) and value:
            if id(value) in anchors:
                lines.append(f"{head} *{anchors[id(value)]}{suffix}")
                continue
            anchor = ""
            if any(value is other for other in _siblings(mapping, key)):
                anchors[id(value)] = re.sub(r"[^A-Za-z0-9_]", "_", key)
                anchor = f" &{anchors[id(value)]}"
            lines.append(f"{head}{anchor}{suffix}")
            _write_mapping(value, key_path, indent + 2, comments, anchors, lines)
        elif isinstance(value, str) and not _plain_safe(value, indent + len(head)):
            lines.append(f"{head} >-{suffix}")
            lines.extend(f"{pad}  {line}" for line in textwrap.wrap(value, _WRAP - indent - 2, break_on_hyphens=False,
                                                                    break_long_words=False))
        else:
            lines.append(f"{head} {_scalar(value)}{suffix}")


def _siblings(mapping: Mapping[str, Any], key: str) -> list[Any]:
    keys = list(mapping)
    return [mapping[k] for k in keys[keys.index(key) + 1:]]


def _reads_back(text: str) -> bool:
    """True when a plain scalar would not read back as this string (a number, a boolean, null)."""
    return yaml.safe_load(text) != text


def _plain_safe(text: str, used: int) -> bool:
    """True when ``text`` can stand unquoted after its key on one line and reads back unchanged."""
    if not text or "\n" in text or used + len(text) > _WRAP:
        return False
    try:
        return yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        return False


def _scalar_key(key: str) -> str:
    return key if _PLAIN.fullmatch(key) and not _reads_back(key) else f'"{key}"'


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        mantissa, _, exponent = text.partition("e")
        if exponent:  # PyYAML reads a float only with a dot and a signed exponent
            mantissa = mantissa if "." in mantissa else mantissa + ".0"
            text = f"{mantissa}e{'' if exponent[0] in '+-' else '+'}{exponent}"
        return text
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m peerproof.reference.gossipsub.derivation NAME``: print the derived config as YAML."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(f"usage: python -m peerproof.reference.gossipsub.derivation NAME\nNAME: {', '.join(DERIVED_NAMES)}",
              file=sys.stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    try:
        derived = derive(args[0])
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    header = (f"Generated by `python -m peerproof.reference.gossipsub.derivation {args[0]}`.\n"
              "Change the formulas in reference/gossipsub/derivation*.py and regenerate; do not edit by hand.")
    sys.stdout.write(render_yaml(derived, header))
    return 0


if __name__ == "__main__":
    sys.exit(main())
