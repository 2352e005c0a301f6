"""peerproof: formal specs, executable reference models and attack synthesis for P2P AI network protocols."""

__version__ = "0.1.0"
