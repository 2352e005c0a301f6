"""Strict documents (spec/peerproof.md, PP-DOC, PP-LIMIT): JSON, YAML and TOML read without surprises.

Every config and trace is parsed here, so every protocol gets the same guarantees: nesting is measured
before any parser can recurse (PP-LIMIT-2), number literals are measured before Python converts them
(PP-LIMIT-3), NaN and infinities are refused (PP-LIMIT-4), strings are bounded (PP-LIMIT-5), keys are
strings and never given twice (PP-DOC-2, PP-DOC-3). YAML is read with the YAML 1.2 core schema by a
builder that walks the parser's events with an explicit stack; a plain scalar that YAML 1.1 would read
differently (``yes``, ``on``, ``1:30``, ``0755``, ``1_000``) is refused with a hint to quote it
(PP-DOC-4). Errors are ``DocumentError(path, message)``; ``configfile`` adds the file name.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from itertools import accumulate, chain, compress, repeat
from operator import add, is_
from typing import Any

import yaml
from peerproof.reference.limits import MAX_DEPTH, MAX_DIGITS, MAX_NODES, MAX_STRING, quote

SYNTAXES = ("json", "yaml", "toml")


class DocumentError(ValueError):
    """A document that breaks the frame's rules, located by its field path ("(document)" or "(line N)")."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class Refused:
    """A value the parser met but must not build (too many digits, NaN, a repeated key), kept to be
    reported with its field path once the tree is complete."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def parse_document(text: str, syntax: str, max_nodes: int | None = MAX_NODES) -> Any:
    """The tree of a JSON, YAML or TOML text under the frame's limits (DocumentError when it breaks one)."""
    if syntax == "json":
        tree = _parse_json(text)
    elif syntax == "yaml":
        tree = _parse_yaml(text)
    elif syntax == "toml":
        tree = _parse_toml(text)
    else:
        raise ValueError(f"unknown syntax {syntax!r}; one of {', '.join(SYNTAXES)}")
    check_tree(tree, max_nodes)
    return tree


# -- limits on a built tree ----------------------------------------------------------------------------

def key_text(key: str) -> str:
    """A key as it appears in a field path: as written when short and printable, else quoted and cut to a
    readable length (PP-LIMIT-8), so a newline in a key never splits an error message."""
    if not key.isprintable():
        return quote(key, 60)
    return key if len(key) <= 60 else f"{key[:48]}…({len(key)} chars)"


def child_path(path: str, key: Any) -> str:
    """The field path of a mapping entry or list item below ``path``."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    text = key_text(key) if isinstance(key, str) else quote(key, 40)
    return f"{path}.{text}" if path else text


_SURROGATE = re.compile("[\ud800-\udfff]")
_INT_LIMIT = 10 ** MAX_DIGITS


def check_string(text: str) -> str | None:
    """Why a string breaks PP-LIMIT-5 (too long, or a lone surrogate that no file can hold), or None."""
    if len(text) > MAX_STRING:
        return f"a string of {len(text)} characters exceeds the limit of {MAX_STRING} (PP-LIMIT-5)"
    if _SURROGATE.search(text):
        return f"{quote(text, 40)} holds a lone UTF-16 surrogate, which is not a character (PP-LIMIT-5)"
    return None


def check_scalar(value: Any) -> str | None:
    """Why a leaf value breaks the frame's limits (PP-LIMIT-3..5), or None when it is fine."""
    if isinstance(value, Refused):
        return value.message
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) >= _INT_LIMIT:
            return f"an integer of more than {MAX_DIGITS} digits (PP-LIMIT-3)"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value!r} is not a finite number (PP-LIMIT-4)"
    if isinstance(value, str):
        return check_string(value)
    return f"a {type(value).__name__} is not a JSON value; write it as a string (PP-DOC-1)"


def check_tree(tree: Any, max_nodes: int | None = MAX_NODES) -> None:
    """PP-LIMIT-2..5, PP-DOC-2 on a parsed tree, without recursion: the first problem as DocumentError.

    Shared subtrees (YAML aliases) are visited once per use; at most ``max_nodes`` visits (PP-LIMIT-9;
    None for a trace, whose size is bounded by its file and its event count instead). A fast scan finds
    whether there is a problem; only then a second walk builds field paths to say where.
    """
    if _has_problem(tree, max_nodes):
        _locate_problem(tree, max_nodes)


def _leaf_is_fine(value: Any) -> bool:
    kind = type(value)
    if kind is str:
        return len(value) <= MAX_STRING and (value.isascii() or not _SURROGATE.search(value))
    if kind is float:
        return math.isfinite(value)
    if kind is int:
        return -_INT_LIMIT < value < _INT_LIMIT
    return value is None or kind is bool


def _keys_are_fine(keys: Any) -> bool:
    return set(map(type, keys)) <= {str} and max(map(len, keys), default=0) <= MAX_STRING and (
        all(map(str.isascii, keys)) or not any(map(_SURROGATE.search, keys)))


_LEAF_TYPES = frozenset({str, float, int, bool, type(None)})


def _leaves_are_fine(leaves: list[Any]) -> bool | None:
    """``all(map(_leaf_is_fine, leaves))`` by type, a few C-level passes instead of a call per leaf; None
    when a value is of another type (a container, or something to judge one by one)."""
    types = list(map(type, leaves))
    if not set(types) <= _LEAF_TYPES:
        return None
    strs = list(compress(leaves, map(is_, types, repeat(str))))
    floats = list(compress(leaves, map(is_, types, repeat(float))))
    ints = list(compress(leaves, map(is_, types, repeat(int))))
    return (max(map(len, strs), default=0) <= MAX_STRING
            and (all(map(str.isascii, strs)) or not any(map(_SURROGATE.search, strs)))
            and all(map(math.isfinite, floats))
            and (not ints or (min(ints) > -_INT_LIMIT and max(ints) < _INT_LIMIT)))


def _has_problem(tree: Any, max_nodes: int | None) -> bool:
    """Whether ``check_tree`` would complain (a scan that builds no paths, for large traces).

    A list of flat mappings (a trace's events) is judged in one batch: the union of their keys, and their
    values grouped by type.
    """
    stack = [(tree, 0)]
    visits = 1  # every node is counted once per use, as _locate_problem counts them
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            keys_ok = _keys_are_fine(node)
            values = node.values()
        elif isinstance(node, list):
            keys_ok, values = True, node
        else:
            if not _leaf_is_fine(node):
                return True
            continue
        visits += len(node)
        if depth >= MAX_DEPTH or not keys_ok or (max_nodes is not None and visits > max_nodes):
            return True
        if type(node) is list and len(node) > 1 and set(map(type, node)) == {dict}:
            flat = _leaves_are_fine(list(chain.from_iterable(map(dict.values, node))))
            if flat is not None:  # every item a mapping of leaves, judged as _has_problem would one by one
                visits += sum(map(len, node))
                if (not flat or depth + 1 >= MAX_DEPTH or not _keys_are_fine(set(chain.from_iterable(node)))
                        or (max_nodes is not None and visits > max_nodes)):
                    return True
                continue
        for value in values:
            if type(value) in (dict, list) or isinstance(value, Mapping):
                stack.append((value, depth + 1))
            elif not _leaf_is_fine(value):
                return True
    return False


def _locate_problem(tree: Any, max_nodes: int | None) -> None:
    """Raise the DocumentError for the first problem of ``tree``, with its field path."""
    stack: list[tuple[str, Any, int]] = [("", tree, 0)]
    visits = 0
    while stack:
        path, value, depth = stack.pop()
        visits += 1
        if max_nodes is not None and visits > max_nodes:
            raise DocumentError("(document)", f"more than {max_nodes} values (PP-LIMIT-9)")
        if isinstance(value, Mapping | list):
            if depth >= MAX_DEPTH:
                raise DocumentError(path or "(document)", f"nested deeper than {MAX_DEPTH} levels (PP-LIMIT-2)")
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            children = []
            for key, item in items:
                if isinstance(value, Mapping):
                    if not isinstance(key, str):
                        raise DocumentError(child_path(path, key), f"keys must be strings, got {quote(key, 40)}; "
                                                                   "quote it (PP-DOC-3)")
                    problem = check_string(key)
                    if problem:
                        raise DocumentError(child_path(path, key), f"key: {problem}")
                children.append((child_path(path, key), item, depth + 1))
            stack.extend(reversed(children))
            continue
        problem = check_scalar(value)
        if problem:
            raise DocumentError(path or "(document)", problem)


def nesting_bound(brackets: str) -> int:
    """An upper bound of the nesting depth of a string of brackets (exact when they balance)."""
    if not brackets:
        return 0
    steps = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
    prefix = list(accumulate(map(steps.__getitem__, brackets.encode("ascii")), add))
    return max(prefix) - min(0, min(prefix))


_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def check_brackets(text: str, strings: re.Pattern[str]) -> None:
    """PP-LIMIT-2 before parsing: the bracket nesting of ``text`` outside its strings and comments."""
    bare = _NOT_BRACKET.sub("", strings.sub("", text))
    if nesting_bound(bare) > MAX_DEPTH:
        raise DocumentError("(document)", f"nested deeper than {MAX_DEPTH} levels (PP-LIMIT-2)")


def number_literal(text: str, convert: Callable[[str], Any]) -> Any:
    """A number literal converted once its digits are counted (PP-LIMIT-3); Refused when it breaks a limit."""
    digits = sum(c.isdigit() for c in text)
    if digits > MAX_DIGITS:
        return Refused(f"a number of {digits} digits exceeds the limit of {MAX_DIGITS} (PP-LIMIT-3)")
    value = convert(text)
    if isinstance(value, float) and not math.isfinite(value):
        return Refused(f"{quote(text, 40)} is out of the range of a finite number (PP-LIMIT-4)")
    return value


# -- JSON ------------------------------------------------------------------------------------------------

def _json_object(pairs: list[tuple[str, Any]]) -> Any:
    out = dict(pairs)
    if len(out) < len(pairs):
        seen: set[str] = set()
        repeated = next(key for key, _value in pairs if key in seen or seen.add(key))
        return Refused(f"key {quote(repeated, 40)} given twice (PP-DOC-2)")
    return out


def _json_int(text: str) -> Any:
    return int(text) if len(text) <= MAX_DIGITS else number_literal(text, int)


def _json_float(text: str) -> Any:
    if len(text) <= MAX_DIGITS:
        value = float(text)
        if math.isfinite(value):
            return value
    return number_literal(text, float)


def _json_constant(name: str) -> Refused:
    return Refused(f"{name} is not a JSON number; write a finite number (PP-LIMIT-4)")


def _parse_json(text: str) -> Any:
    """The JSON tree; the decoder guards its own recursion (a RecursionError, some hundreds of levels down,
    far beyond PP-LIMIT-2's 64, which ``check_tree`` enforces), so no bracket scan of the text comes first."""
    try:
        return json.loads(text, object_pairs_hook=_json_object, parse_constant=_json_constant,
                          parse_int=_json_int, parse_float=_json_float)
    except RecursionError:
        raise DocumentError("(document)", f"nested deeper than {MAX_DEPTH} levels (PP-LIMIT-2)") from None
    except json.JSONDecodeError as exc:
        raise DocumentError(f"(line {exc.lineno})", f"malformed JSON: {exc.msg} (column {exc.colno})") from None


# -- TOML ------------------------------------------------------------------------------------------------

_TOML_SKIPPED = re.compile(r'"""[\s\S]*?(?:"""|\Z)|\'\'\'[\s\S]*?(?:\'\'\'|\Z)'
                           r'|"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*(?:"|(?=\n)|\\?\Z)|\'[^\'\n]*(?:\'|(?=\n)|\Z)|#[^\n]*')


def _toml_float(text: str) -> Any:
    if text.lstrip("+-") in ("inf", "nan"):
        return Refused(f"{text} is not a finite number (PP-LIMIT-4)")
    return number_literal(text, float)


def _parse_toml(text: str) -> Any:
    check_brackets(text, _TOML_SKIPPED)
    try:
        return tomllib.loads(text, parse_float=_toml_float)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"at line (\d+)", str(exc))
        raise DocumentError(f"(line {line.group(1)})" if line else "(document)", f"malformed TOML: {exc}") from None
    except ValueError:  # an integer literal beyond Python's int-string limit
        raise DocumentError("(document)", f"a number exceeds the limit of {MAX_DIGITS} digits (PP-LIMIT-3)") from None


# -- YAML (1.2 core schema) ---------------------------------------------------------------------------

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# Plain scalars that YAML 1.1 (PyYAML, go-yaml v2) reads as something else than YAML 1.2 does. Each
# pattern has one star per run of characters, so a failed match costs time linear in the scalar.
_AMBIGUOUS_WORDS = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
                    "<<", "="}  # 1.1 booleans, merge and value keys
_AMBIGUOUS = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"  # 1.1 sexagesimal: 1:30 is 90
                        r"|[-+]?0[0-9_]+|[-+]?0b[01_]+")  # 1.1 octal 0755 is 493, binary
_SEPARATED = re.compile(r"[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?")  # with a "_": 1.1 reads 1_000
_NUMBER_CHARS = frozenset("0123456789+-._eE")  # a decimal literal; a long hex word (a key, a hash) stays a string
_LONGEST_SHORT_SCALAR = 2 * MAX_DIGITS + 8  # no number within PP-LIMIT-3, boolean or null is longer


def _int_literal(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)


def resolve_plain(text: str) -> Any:
    """A plain (unquoted, untagged) YAML scalar under the YAML 1.2 core schema (PP-DOC-4)."""
    if len(text) > _LONGEST_SHORT_SCALAR:
        if set(text) <= _NUMBER_CHARS and any(c.isdigit() for c in text):
            return Refused(f"a number of {len(text)} characters exceeds the limit of {MAX_DIGITS} digits (PP-LIMIT-3)")
        return text
    if text in _AMBIGUOUS_WORDS or _AMBIGUOUS.fullmatch(text) or ("_" in text and _SEPARATED.fullmatch(text)):
        raise ValueError(f"{quote(text, 40)} is read differently by YAML 1.1 and YAML 1.2; quote it (\"...\") or "
                         "write it unambiguously (true/false, a plain decimal number) (PP-DOC-4)")
    if _NULL.fullmatch(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.fullmatch(text):
        return number_literal(text, _int_literal)
    if _FLOAT.fullmatch(text):
        return number_literal(text, float)
    if _SPECIAL_FLOAT.fullmatch(text):
        return Refused(f"{text} is not a finite number (PP-LIMIT-4)")
    return text


def resolve_tagged(tag: str, text: str) -> Any:
    """A scalar with an explicit core tag (!!str, !!int, !!float, !!bool, !!null); any other tag is refused."""
    kind = tag.removeprefix(_CORE) if tag.startswith(_CORE) else None
    if tag == "!" or kind == "str":
        return text
    value = resolve_plain(text) if kind in ("int", "float", "bool", "null") else None
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, int | float | Refused) and not isinstance(value, bool):
        return float(value) if isinstance(value, int) else value
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "null" and value is None:
        return None
    if kind in ("int", "float", "bool", "null"):
        raise ValueError(f"{quote(text, 40)} is not a valid !!{kind} (PP-DOC-4)")
    raise ValueError(f"the YAML tag {quote(tag, 60)} is not supported; only !!str, !!int, !!float, !!bool "
                     "and !!null (PP-DOC-4)")


class _Node:
    """A collection being built: its value, field path, line, anchor, pending key and size so far."""

    __slots__ = ("anchor", "height", "key", "line", "path", "size", "value")

    def __init__(self, value: dict | list, path: str, line: int, anchor: str | None) -> None:
        self.value, self.path, self.line, self.anchor = value, path, line, anchor
        self.key: Any = _NO_KEY
        self.size, self.height = 1, 1


_NO_KEY = object()


class _YamlBuilder:
    """Builds one YAML document from parser events with an explicit stack (no recursion, PP-LIMIT-2)."""

    def __init__(self) -> None:
        self.stack: list[_Node] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # anchor -> (value, expanded size, height)
        self.root: Any = None
        self.documents = 0

    def path(self) -> str:
        if not self.stack:
            return ""
        top = self.stack[-1]
        if isinstance(top.value, list):
            return child_path(top.path, len(top.value))
        return top.path if top.key is _NO_KEY else child_path(top.path, top.key)

    def fail(self, line: int, message: str) -> DocumentError:
        path = self.path() or "(document)"
        return DocumentError(path, f"{message} (line {line + 1})")

    def add(self, value: Any, size: int, height: int, line: int, anchor: str | None) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size, height)
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if len(self.stack) + height > MAX_DEPTH:
            raise self.fail(line, f"nested deeper than {MAX_DEPTH} levels (PP-LIMIT-2)")
        top.size += size
        top.height = max(top.height, height + 1)
        if top.size > MAX_NODES:
            raise self.fail(line, f"more than {MAX_NODES} values once aliases are expanded (PP-LIMIT-9)")
        if isinstance(top.value, list):
            top.value.append(value)
        elif top.key is _NO_KEY:
            if not isinstance(value, str):
                raise self.fail(line, f"keys must be strings, got {quote(value, 40)}; quote it (PP-DOC-3)")
            if value in top.value:
                raise DocumentError(child_path(top.path, value), f"given twice (PP-DOC-2) (line {line + 1})")
            top.key = value
        else:
            top.value[top.key] = value
            top.key = _NO_KEY

    def event(self, ev: yaml.Event) -> None:
        line = ev.start_mark.line if ev.start_mark is not None else 0
        if isinstance(ev, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise DocumentError(f"(line {line + 1})", "a file holds one YAML document (PP-DOC-1)")
        elif isinstance(ev, yaml.ScalarEvent):
            try:
                if ev.tag is None and ev.implicit[0]:
                    value = resolve_plain(ev.value)
                else:
                    value = ev.value if ev.tag is None else resolve_tagged(ev.tag, ev.value)
            except ValueError as exc:
                raise self.fail(line, str(exc)) from None
            self.add(value, 1, 0, line, ev.anchor)
        elif isinstance(ev, yaml.AliasEvent):
            if ev.anchor not in self.anchors:
                raise self.fail(line, f"alias *{quote(ev.anchor, 40)} names no complete node (PP-DOC-5)")
            value, size, height = self.anchors[ev.anchor]
            self.add(value, size, height, line, None)
        elif isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if ev.tag is not None and ev.tag not in ("!", f"{_CORE}map", f"{_CORE}seq"):
                raise self.fail(line, f"the YAML tag {quote(ev.tag, 60)} is not supported (PP-DOC-4)")
            if len(self.stack) >= MAX_DEPTH:
                raise self.fail(line, f"nested deeper than {MAX_DEPTH} levels (PP-LIMIT-2)")
            value: dict | list = {} if isinstance(ev, yaml.MappingStartEvent) else []
            self.stack.append(_Node(value, self.path(), line, ev.anchor))
        elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            node = self.stack.pop()
            self.add(node.value, node.size, node.height, node.line, node.anchor)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str) -> Any:
    builder = _YamlBuilder()
    try:
        for ev in yaml.parse(text, Loader=_LOADER):
            builder.event(ev)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f"(line {mark.line + 1})"
        elif isinstance(getattr(exc, "position", None), int):  # a ReaderError: a character YAML does not allow
            where = f"(line {text.count(chr(10), 0, exc.position) + 1})"
        else:
            where = "(document)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise DocumentError(where, f"malformed YAML: {problem.splitlines()[0] if problem else 'unreadable'}") from None
    return builder.root
