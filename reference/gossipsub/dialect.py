"""Implementation dialects (GS-DIV): where go, ts, rust and the spec text disagree, as explicit switches.

Every switch names the divergence row of spec/gossipsub.md it implements. Default dialect: ``go``. Not
modelled: ts's per-RPC graylist grace (GS-DIV-18, unverified) and Lighthouse's slow-peer term (GS-DIV-19).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """One implementation's answers to the questions the spec leaves open or answers differently."""

    name: str
    p1_floor: bool  # GS-DIV-1: P1 = floor(meshTime / quantum) (go) or the real quotient
    p3_active_after_prune: bool  # GS-DIV-2: go keeps meshMessageDeliveriesActive on prune/disconnect
    p7_threshold: bool  # GS-DIV-7: P7 = (c - threshold)^2 above the threshold, or c^2 (spec formula)
    retain_positive_scores: bool  # GS-DIV-5: spec retains every score; implementations only <= 0
    reconnect_resets_stats: bool  # GS-DIV-15: ts addPeer replaces retained stats with fresh ones
    oversubscribed_at_d_hi: bool  # GS-DIV-9: prune surplus when |mesh| >= Dhi (go >= v0.13) or > Dhi
    window_from_validation: bool  # GS-DIV-11: near-first window from validation (impls) or first seen
    opportunistic_needs_nonnegative: bool  # GS-DIV-10: ts candidates also need score >= 0
    dout_fill_to_d: bool  # GS-DIV-16: ts bubbles up D - outbound outbound peers, go Dout - outbound
    delivery_gc_interval_ms: int | None  # GS-DIV-17: go gc of delivery records every 1 min; ts each decay
    whitelist_cidr: bool  # GS-DIV-12: go whitelists CIDR ranges; ts and rust exact IP strings
    fixed_delivery_ttl_ms: int | None  # GS-DIV-20: ts keeps delivery records 120 s whatever SeenMsgTTL


DIALECTS: dict[str, Dialect] = {
    "spec": Dialect("spec", p1_floor=False, p3_active_after_prune=False, p7_threshold=False,
                    retain_positive_scores=True, reconnect_resets_stats=False, oversubscribed_at_d_hi=False,
                    window_from_validation=False, opportunistic_needs_nonnegative=False,
                    dout_fill_to_d=False, delivery_gc_interval_ms=None, whitelist_cidr=True,
                    fixed_delivery_ttl_ms=None),
    "go": Dialect("go", p1_floor=True, p3_active_after_prune=True, p7_threshold=True,
                  retain_positive_scores=False, reconnect_resets_stats=False, oversubscribed_at_d_hi=True,
                  window_from_validation=True, opportunistic_needs_nonnegative=False,
                  dout_fill_to_d=False, delivery_gc_interval_ms=60_000, whitelist_cidr=True,
                  fixed_delivery_ttl_ms=None),
    "ts": Dialect("ts", p1_floor=False, p3_active_after_prune=False, p7_threshold=True,
                  retain_positive_scores=False, reconnect_resets_stats=True, oversubscribed_at_d_hi=False,
                  window_from_validation=True, opportunistic_needs_nonnegative=True,
                  dout_fill_to_d=True, delivery_gc_interval_ms=None, whitelist_cidr=False,
                  fixed_delivery_ttl_ms=120_000),
    "rust": Dialect("rust", p1_floor=False, p3_active_after_prune=False, p7_threshold=True,
                    retain_positive_scores=False, reconnect_resets_stats=False, oversubscribed_at_d_hi=False,
                    window_from_validation=True, opportunistic_needs_nonnegative=False,
                    dout_fill_to_d=False, delivery_gc_interval_ms=None, whitelist_cidr=False,
                    fixed_delivery_ttl_ms=None),
}

DEFAULT_DIALECT = "go"


def get_dialect(name: str) -> Dialect:
    """The dialect called ``name``; a ValueError listing the known ones otherwise."""
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}; choose one of {', '.join(DIALECTS)}") from None
