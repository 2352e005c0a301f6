"""Every numbered item of spec/gossipsub.md is cited by the code or the tests (STYLE: ``grep GS-PROP-2`` finds
the text, the predicate, the test and the attack)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ID = re.compile(r"\bGS-[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


def spec_ids() -> set[str]:
    """The IDs spec/gossipsub.md defines or uses."""
    return set(ID.findall((ROOT / "spec" / "gossipsub.md").read_text(encoding="utf-8")))


def cited_ids() -> set[str]:
    """The IDs the Python sources of the checkout cite."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if not {".venv", "node_modules"} & set(path.parts):
            found |= set(ID.findall(path.read_text(encoding="utf-8", errors="replace")))
    return found


def test_every_spec_id_is_cited_in_code_or_tests() -> None:
    missing = sorted(spec_ids() - cited_ids())
    assert not missing, f"spec IDs no code or test cites: {', '.join(missing)}"
