"""GossipSub at network scale, the attack-evaluation side (spec/gossipsub-network.md): metrics, the acceptance
experiments (a)-(f), plots, scenario runs over seeds (joblib), the ``peerproof simulate gossipsub`` entry and
``check`` over derived configs. The model itself is ``peerproof.reference.gossipsub.network``."""
