"""The symbolic engines for GossipSub: closed-form arguments (``analytic.prove``) and z3 bounded model
checking (``bmc.synthesize``), over one shared plan of the attacker's per-interval choices (``plan``) and
the config's exact rationals (``rational``)."""

from peerproof.attacks.gossipsub.symbolic.analytic import prove
from peerproof.attacks.gossipsub.symbolic.bmc import synthesize

__all__ = ["prove", "synthesize"]
