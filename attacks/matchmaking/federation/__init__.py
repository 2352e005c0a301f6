"""A torch federation that validates the CPM's learning (``peerproof simulate matchmaking``, spec §15).

Heterogeneous small models (frozen pretrained bases plus LoRA adapters) on non-IID shards of
scikit-learn's digits exchange knowledge by distillation on a shared transfer set; pairings come from
local-only, random, heuristic, central distillation or the CPM reference model. torch is imported here
only, so the rest of ``peerproof.attacks.matchmaking`` works without it.
"""
