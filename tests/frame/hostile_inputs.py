"""Hostile inputs for the frame's readers (issue 8, spec/peerproof.md PP-LIMIT, PP-DOC): seeds, mutations, a
work budget.

Seeds are every bundled config of every protocol (found by globbing ``spec/configs/*/``, so protocols
added later are fuzzed too) and example traces recorded from them. A mutation changes one place of a
seed's tree (a hostile value, a deletion, a duplicated key, deep nesting, a raw literal no serialiser
would write) and writes it as JSON, YAML or TOML, or damages the text (truncation, stray bytes, other
encodings). The contract under test: every input is accepted or refused with ``ConfigError``; nothing
else escapes, and the work spent is bounded by the input's size (counted in function calls, not time).
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st
from peerproof.reference.configfile import ConfigError, read_document
from peerproof.reference.model import get_model

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}
RAW = "PPRAWTOKEN"  # replaced, after serialising, by a literal no serialiser writes
DUP = "PPDUPKEY"  # replaced, after serialising, by a key that is already in its mapping


def bundled_config_files() -> list[Path]:
    """Every bundled config of every protocol (the verdict manifests excluded)."""
    return sorted(p for p in (ROOT / "spec" / "configs").glob("*/*")
                  if p.suffix in SUFFIXES and p.name != "expected.json")


def seed_documents() -> list[tuple[str, Any]]:
    """(name, parsed document) of every bundled config."""
    return [(p.stem, read_document(p)) for p in bundled_config_files()]


HOSTILE_VALUES: list[Any] = [
    None, True, False, "", "x" * 5000, "１２s", "١٢s", "12", "1:30", "yes", "null", "-1s", "1e999s", "9" * 400 + "s",
    "9" * 20_000, "0.0000001ms", "\u202e", 0, -1, 1, 1.5, -0.0, 5e-324, 1e-300, 1e15, 1e16, 1e308, -1e308,
    10**39, 10**50, -(10**300), float("nan"), float("inf"), float("-inf"), [], {}, [1, "a", None], {"a": 1},
    {"protocol": "gossipsub"}, ["10.0.0.1"], [5], {"": 1},
]
RAW_LITERALS = [
    "[" * 70 + "]" * 70, "[" * 5000 + "]" * 5000, "[" * 3000, "1" * 5000, "1" * 300, "1e400", "-1e400", "NaN",
    "Infinity", "0x1F", "0o17", "1_000", "０１", ".nan", ".inf", "1:30", "0755", "~", "!!bool maybe", "!!python/none x",
    "&a [*a]", "*nope", '"' + '\\"' * 3000, '"""' + "a" * 3000, "1_" * 3000 + "x", "1:" * 3000 + "x",
    "0x" + "f" * 200, "- - - - - - - - x", "{a: {b: {c: [1, {d: 2}]}}}",
]


def paths(tree: Any) -> list[tuple[Any, ...]]:
    """Every place in a tree (the keys and indices leading to it), the root first, without recursion."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), tree)]
    while stack:
        where, node = stack.pop()
        out.append(where)
        if isinstance(node, dict):
            stack.extend(((*where, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*where, i), v) for i, v in enumerate(node))
    return out


def copy_tree(tree: Any) -> Any:
    """A deep copy through JSON-like containers (YAML aliases become separate copies)."""
    if isinstance(tree, dict):
        return {k: copy_tree(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [copy_tree(v) for v in tree]
    return tree


def mutate(tree: Any, where: tuple[Any, ...], how: str, value: Any) -> Any:
    """The tree with one change at ``where``: replace, delete, duplicate (its key), or rename its key."""
    tree = copy_tree(tree)
    if not where:
        return value if how == "replace" else tree
    parent = tree
    for step in where[:-1]:
        parent = parent[step]
    last = where[-1]
    if how == "replace":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif how == "duplicate" and isinstance(parent, dict):
        parent[DUP] = parent[last]
        return tree, last
    elif how == "rename" and isinstance(parent, dict):
        parent[value if isinstance(value, str) else str(value)] = parent.pop(last)
    return tree


def toml_value(value: Any) -> str:
    """A value as an inline TOML literal (no null in TOML: written as the string "null")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps("null" if value is None else str(value))


def serialise(tree: Any, syntax: str, raw: str = "", dup_key: str = "") -> str:
    """A tree written as ``syntax`` (json, yaml, toml), with the raw literal and duplicated key put in."""
    if syntax == "json":
        text = json.dumps(tree, allow_nan=True)
    elif syntax == "yaml":
        text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)
    elif isinstance(tree, dict):
        text = "\n".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in tree.items()) + "\n"
    else:
        text = toml_value(tree)
    if raw:
        text = text.replace(json.dumps(RAW), raw).replace(RAW, raw)
    if dup_key:
        text = text.replace(json.dumps(DUP), json.dumps(dup_key)).replace(DUP, json.dumps(dup_key))
    return text


TEXT_DAMAGE = ("none", "truncate", "insert", "delete", "bom", "utf16", "latin1", "nul", "repeat_line")
STRAY = ["{", "[", "]", "}", ":", ",", "'", '"', "\\", "\n", "\t", "#", "&", "*", "!", "|", ">", "-", "?", "%", "@",
         "`", "\x00", "\ufeff", "\udcff", "é", "𝟙", "\u2028"]


def damage(text: str, how: str, at: float, stray: str) -> bytes:
    """The text's bytes after one kind of damage at relative position ``at`` (0..1)."""
    i = int(at * len(text))
    if how == "truncate":
        text = text[:i]
    elif how == "insert":
        text = text[:i] + stray + text[i:]
    elif how == "delete":
        text = text[:i] + text[i + 1 + int(at * 20):]
    elif how == "bom":
        text = "\ufeff" + text
    elif how == "nul":
        text = text[:i] + "\x00" + text[i:]
    elif how == "repeat_line":
        lines = text.splitlines(keepends=True) or [""]
        k = min(int(at * len(lines)), len(lines) - 1)
        text = "".join(lines[: k + 1] + [lines[k]] * 3 + lines[k + 1:])
    encoding = {"utf16": "utf-16", "latin1": "latin-1"}.get(how, "utf-8")
    return text.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")


@st.composite
def hostile_documents(draw: st.DrawFn, seeds: list[tuple[str, Any]]) -> tuple[str, bytes]:
    """(suffix, bytes) of one mutated seed document."""
    _name, tree = draw(st.sampled_from(seeds))
    places = paths(tree)
    where = draw(st.sampled_from(places))
    how = draw(st.sampled_from(("replace", "replace", "replace", "raw", "delete", "duplicate", "rename", "none")))
    raw, dup_key = "", ""
    if how == "replace":
        tree = mutate(tree, where, "replace", draw(st.sampled_from(HOSTILE_VALUES) | st.floats() | st.integers()
                                                   | st.text(max_size=20)))
    elif how == "raw":
        raw = draw(st.sampled_from(RAW_LITERALS))
        tree = mutate(tree, where, "replace", RAW)
    elif how == "delete" and where:
        tree = mutate(tree, where, "delete", None)
    elif how == "duplicate" and where and isinstance(where[-1], str):
        tree, dup_key = mutate(tree, where, "duplicate", None)
    elif how == "rename" and where and isinstance(where[-1], str):
        tree = mutate(tree, where, "rename", draw(st.sampled_from(["null", "true", "1", "", "x" * 5000, "on"])
                                                  | st.text(max_size=10)))
    syntax = draw(st.sampled_from(("json", "yaml", "toml")))
    try:
        text = serialise(tree, syntax, raw, dup_key)
    except (ValueError, OverflowError, RecursionError):  # a tree the serialiser cannot write
        text = serialise(draw(st.sampled_from(seeds))[1], syntax)
    data = damage(text, draw(st.sampled_from(TEXT_DAMAGE)), draw(st.floats(0, 1)), draw(st.sampled_from(STRAY)))
    return {"json": ".json", "yaml": ".yaml", "toml": ".toml"}[syntax], data


class OverBudget(BaseException):
    """An input made the reader do more work than its size allows (a BaseException, so that no
    ``except Exception`` in the code under test can swallow it)."""


def within_budget(action: Callable[[], Any], size: int, base: int = 3_000_000, per_byte: int = 40) -> Any:
    """Run ``action`` counting function calls (Python and C); OverBudget past ``base + per_byte * size``.

    A count, not a clock: the same input always costs the same, so the bound cannot flake under load.
    """
    limit = base + per_byte * size
    count = 0

    def profile(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1
            if count > limit:
                sys.setprofile(None)
                raise OverBudget(f"more than {limit} calls for {size} bytes")

    sys.setprofile(profile)
    try:
        return action()
    finally:
        sys.setprofile(None)


def usable(config: Any) -> None:
    """An accepted config is usable: its canonical form is finite JSON and reads back to the same config."""
    model = get_model(config.protocol)
    canonical = model.to_canonical(config)
    json.dumps(canonical, allow_nan=False)
    again = model.config_from_mapping(json.loads(json.dumps(canonical)), file=config.file)
    assert model.to_canonical(again) == canonical


SMALL_GOSSIPSUB: dict[str, Any] = {
    "protocol": "gossipsub", "name": "hostile-small", "dialect": "go",
    "router": {"d": 6, "d_lo": 4, "d_hi": 12, "d_score": 4, "d_out": 2, "heartbeat_interval": "1s"},
    "score_params": {
        "decay_interval": "1s", "decay_to_zero": 0.01, "retain_score": "60s", "app_specific_weight": 1,
        "behaviour_penalty_weight": -10, "behaviour_penalty_threshold": 2, "behaviour_penalty_decay": 0.9,
        "topics": {"blocks": {
            "topic_weight": 0.5, "time_in_mesh_weight": 0.05, "time_in_mesh_quantum": "1s", "time_in_mesh_cap": 100,
            "first_message_deliveries_weight": 1, "first_message_deliveries_decay": 0.8,
            "first_message_deliveries_cap": 20, "mesh_message_deliveries_weight": -0.8,
            "mesh_message_deliveries_decay": 0.8, "mesh_message_deliveries_cap": 10,
            "mesh_message_deliveries_threshold": 3, "mesh_message_deliveries_window": "10ms",
            "mesh_message_deliveries_activation": "6s", "mesh_failure_penalty_weight": -0.8,
            "mesh_failure_penalty_decay": 0.8, "invalid_message_deliveries_weight": -20,
            "invalid_message_deliveries_decay": 0.5}},
    },
    "thresholds": {"gossip_threshold": -10, "publish_threshold": -50, "graylist_threshold": -80},
}
"""A small valid GossipSub config (not a real deployment) that the regression tests damage one field at a time."""


def gossipsub_script(topic: str) -> list[dict[str, Any]]:
    """Trace events (wire form) that touch every GossipSub counter in ``topic``, ending with a long idle time."""
    return [
        {"at": 0, "kind": "add_peer", "peer": "a"}, {"at": 0, "kind": "add_peer", "peer": "b", "outbound": True},
        {"at": 0, "kind": "add_ip", "peer": "a", "ip": "10.0.0.1"},
        {"at": 0, "kind": "add_ip", "peer": "b", "ip": "10.0.0.1"},
        {"at": 0, "kind": "graft", "peer": "a", "topic": topic},
        {"at": 0, "kind": "graft", "peer": "b", "topic": topic},
        {"at": 1, "kind": "deliver", "peer": "a", "topic": topic, "msg": "m1"},
        {"at": 1.005, "kind": "duplicate", "peer": "b", "topic": topic, "msg": "m1"},
        {"at": 2, "kind": "receive", "peer": "b", "topic": topic, "msg": "m2"},
        {"at": 2.5, "kind": "validated", "msg": "m2", "outcome": "reject"},
        {"at": 3, "kind": "invalid", "peer": "b", "topic": topic},
        {"at": 3, "kind": "penalty", "peer": "b", "count": 3},
        {"at": 3, "kind": "app_score", "peer": "a", "value": 2.5},
        {"at": 8, "kind": "prune", "peer": "b", "topic": topic}, {"at": 9, "kind": "remove_peer", "peer": "b"},
        {"at": 9, "kind": "heartbeat"}, {"at": 100_000, "kind": "tick"},
    ]


def words_in(doc: Any, limit: int = 50) -> list[str]:
    """Short strings and keys of a document (replica names, topics, agents): the names events can refer to."""
    found: set[str] = set()
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
            found.update(k for k in node if len(k) < 20)
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and len(node) < 20:
            found.add(node)
    return sorted(found)[:limit] or ["a"]


SAMPLES: dict[str, Callable[[random.Random, list[str]], Any]] = {
    "str": lambda rng, words: rng.choice(words), "str | None": lambda rng, words: rng.choice([None, *words]),
    "int": lambda rng, _words: rng.choice([0, 1, 2, 5]), "float": lambda rng, _words: rng.choice([0.0, 0.5, 1.0, 3.0]),
    "bool": lambda rng, _words: rng.choice([True, False]),
}


def synthesised_events(model: Any, config: Any, doc: Any, n: int = 30, seed: int = 0) -> list[Any]:
    """Up to ``n`` events of any protocol whose events go through the shared EventCodec, built from its
    event classes with names taken from the config, keeping those the model takes (bad input skips one)."""
    types = getattr(getattr(model.event_from_dict, "__self__", None), "types", None)
    if not types:
        return []
    rng = random.Random(seed)
    words = words_in(doc)
    dialect, state = model.start(config)
    events: list[Any] = []
    t = 0.0
    for _ in range(5 * n):
        if len(events) >= n:
            break
        kind = rng.choice(sorted(types))
        raw = {"at": t, "kind": kind}
        raw.update({f.name: SAMPLES[str(f.type)](rng, words) for f in fields(types[kind]) if f.name != "at_ms"})
        try:
            event = model.event_from_dict(raw)
            state = model.step(config, state, event, dialect)
        except (ValueError, ConfigError):  # an event the model refuses as bad input
            continue
        events.append(event)
        t += rng.choice([0, 0.001, 1, 10])
    return events
