"""The manifest of expected verdicts (TLA+ Examples style): a fresh check of every bundled config must match it.

``spec/configs/gossipsub/expected.json`` maps each bundled config to one entry per property check
(per topic, or per group of topics with identical parameters): ``property``, ``topic`` (a topic, a
group label such as ``beacon_attestation_{0..63}``, or null), ``verdict`` and ``reason``. A reason
that starts with ``not-scored`` or ``scored-but-insufficient`` is part of the verdict (GS-PROP-3/6 say
*why* they fail) and must match too; the rest of a reason is the reviewed explanation. Any drift (a
verdict that changes, an entry that appears or disappears) fails.

After a deliberate change, regenerate and review the diff:

    python tests/attacks/test_manifest.py --write
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import pytest
from checkruns import CONFIGS, check_config
from peerproof.attacks.gossipsub.search_plans import group_label
from peerproof.spec import CONFIG_DIR

from peerproof.check import Result

MANIFEST = CONFIG_DIR / "gossipsub" / "expected.json"
TAGS = ("not-scored", "scored-but-insufficient")



def topic_label(r: Result) -> str | None:
    """The manifest's topic of a result: the topic, or its group's label."""
    return group_label(r.job.group) if r.job.group else r.job.topic


def tag(reason: str) -> str | None:
    """``not-scored`` / ``scored-but-insufficient`` when a reason starts with one."""
    return next((t for t in TAGS if reason.startswith(t)), None)


def load_manifest() -> dict[str, list[dict]]:
    """The manifest as a mapping config name -> entries."""
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def drift(expected: Sequence[dict], results: Sequence[Result]) -> list[str]:
    """Every difference between the manifest entries of a config and its check results."""
    want = {(e["property"], e["topic"]): e for e in expected}
    got = {(r.job.slug, topic_label(r)): r for r in results}
    out = [f"{p} [{t}]: in the manifest, not checked" for p, t in sorted(set(want) - set(got), key=str)]
    out += [f"{p} [{t}]: checked ({got[p, t].verdict}), not in the manifest" for p, t in
            sorted(set(got) - set(want), key=str)]
    for key in sorted(set(want) & set(got), key=str):
        e, r = want[key], got[key]
        if e["verdict"] != r.verdict or tag(e["reason"]) != tag(r.reason):
            out.append(f"{key[0]} [{key[1]}]: expected {e['verdict']} ({tag(e['reason']) or 'any reason'}), "
                       f"got {r.verdict}: {r.reason[:300]}")
    return out


def test_every_bundled_config_is_in_the_manifest() -> None:
    assert sorted(load_manifest()) == sorted(CONFIGS)


@pytest.mark.parametrize("name", CONFIGS)
def test_check_matches_the_manifest(name: str, checked: dict[str, list[Result]]) -> None:
    problems = drift(load_manifest()[name], checked[name])
    assert not problems, f"{name} drifted from {MANIFEST.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", CONFIGS)
def test_every_reported_violation_was_replayed(name: str, checked: dict[str, list[Result]]) -> None:
    for r in checked[name]:
        if r.verdict == "violated":
            assert r.replay is not None and r.replay["reference"].startswith("ok"), (r.job, r.replay)


def write_manifest() -> None:
    """Check every bundled config and write the manifest, keeping reviewed reasons whose verdict held."""
    old = load_manifest() if MANIFEST.exists() else {}
    doc = {}
    for name in CONFIGS:
        kept = {(e["property"], e["topic"]): e for e in old.get(name, [])}
        entries = []
        for r in check_config(name):
            key = (r.job.slug, topic_label(r))
            e = kept.get(key)
            same = e is not None and e["verdict"] == r.verdict and tag(e["reason"]) == tag(r.reason)
            entries.append({"property": key[0], "topic": key[1], "verdict": r.verdict,
                            "reason": e["reason"] if same else r.reason})
        doc[name] = entries
        print(f"{name}: " + ", ".join(f"{e['property']}[{e['topic']}]={e['verdict']}" for e in entries))
    MANIFEST.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/attacks/test_manifest.py --write")
    write_manifest()
