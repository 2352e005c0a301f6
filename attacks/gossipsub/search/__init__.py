"""The Hypothesis engine for GossipSub: targeted search over periodic attacker plans (``search``).

Its plans (``plans``) and the space they are drawn from (``space``) share nothing with the symbolic
engines' plans, so that the engines' agreement means something; both sides share only the model, the
witness and the peers' role names (``peerproof.attacks.gossipsub.roles``).
"""

from peerproof.attacks.gossipsub.search.engine import search

__all__ = ["search"]
