"""Import direction and cycles: spec <- reference <- properties <- attacks <- peerproof (ARCHITECTURE.md).

Every ``import`` of every module (function-level ones included) is read with ast; an import that points
up the layers, one that ties two protocols together, or a cycle among the project's modules fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("spec", "reference", "properties", "attacks", "peerproof")  # lowest first
PROTOCOL_LAYERS = ("reference", "properties", "attacks")


def module_name(path: Path) -> str:
    """The import name of a source file of the checkout."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts) if parts[0] == "peerproof" else ".".join(("peerproof", *parts))


def modules() -> dict[str, Path]:
    """Every module of the five layers."""
    found = {}
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if "node_modules" not in path.parts:
                found[module_name(path)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports (the longest known prefix of each imported name)."""
    out = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            targets = [base, *(f"{base}.{a.name}" for a in node.names)]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name and not name.startswith(t + "."):
                out.add(t)
    return out


def layer_of(name: str) -> int:
    """The layer index of a module (peerproof's own modules are the top layer)."""
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS[:-1] else len(LAYERS) - 1


def protocol_of(name: str) -> str | None:
    """The protocol a module belongs to (``peerproof.<layer>.<protocol>....``, a subpackage), if any."""
    parts = name.split(".")
    if len(parts) > 2 and parts[1] in PROTOCOL_LAYERS and (ROOT / parts[1] / parts[2] / "__init__.py").is_file():
        return parts[2]
    return None


def graph() -> nx.DiGraph:
    """The import graph of the project's modules."""
    known = modules()
    g = nx.DiGraph()
    for name, path in known.items():
        g.add_node(name)
        g.add_edges_from((name, t) for t in imports(name, path, known))
    return g


def upward(g: nx.DiGraph) -> list[str]:
    """Every import that points to a higher layer, or from one protocol into another."""
    bad = [f"{a} -> {b}" for a, b in g.edges if layer_of(b) > layer_of(a) and b != "peerproof"]
    bad += [f"{a} -> {b}" for a, b in g.edges
            if protocol_of(a) and protocol_of(b) and protocol_of(a) != protocol_of(b)]
    return sorted(bad)


def test_no_import_points_up_the_layers_or_across_protocols() -> None:
    bad = upward(graph())
    assert not bad, "\n".join(bad)


def test_no_import_cycles() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph()) if len(c) > 1]
    assert not cycles, "\n".join(" <-> ".join(c) for c in cycles)


def test_the_direction_check_catches_an_upward_import() -> None:
    """The check itself fails on a model that imports the attack layer (a mutant import graph)."""
    g = graph()
    g.add_edge("peerproof.reference.gossipsub.step", "peerproof.attacks.gossipsub")
    g.add_edge("peerproof.attacks.gossipsub", "peerproof.reference.gossipsub.step")
    assert "peerproof.reference.gossipsub.step -> peerproof.attacks.gossipsub" in upward(g)
    assert any(len(c) > 1 for c in nx.strongly_connected_components(g))


GENERIC = ("peerproof/check.py", "peerproof/checkevidence.py", "peerproof/checkreport.py", "peerproof/cli.py",
           "peerproof/enginepool.py", "peerproof/plot.py", "peerproof/tables.py", "peerproof/artefacts.py",
           "reference/model.py", "reference/trace.py", "reference/events.py", "reference/configframe.py",
           "attacks/checks.py", "attacks/presentation.py")


def test_generic_modules_name_no_protocol() -> None:
    """Registration and presentation live with the protocol: the frame's own modules dispatch on ``protocol``."""
    from peerproof.reference.model import PROTOCOLS

    named = [(path, p) for path in GENERIC for p in PROTOCOLS
             if p.lower() in (ROOT / path).read_text(encoding="utf-8").lower()]
    assert not named, named
