"""Reputation-weighted Bradley–Terry consensus ranking: the executable reference model (spec/ranking.md).

Judges compare candidate answers pairwise; the round's consensus is the weighted Bradley–Terry
maximum-likelihood ranking with reputation as weight (RK-W, RK-BT); reputation follows agreement
with the consensus (RK-REP); only judges with stake and passed calibration tests count (RK-ADM).
"""

from peerproof.reference.model import Model
from peerproof.reference.ranking.bradley_terry import SOLVERS, Fit, fit, mle_exists, strong_components
from peerproof.reference.ranking.config import Config, config_from_mapping, load_config, to_canonical
from peerproof.reference.ranking.consensus import Consensus, consensus
from peerproof.reference.ranking.dialect import DEFAULT_DIALECT, DIALECTS, Dialect, get_dialect
from peerproof.reference.ranking.events import (
    EVENT_TYPES,
    Close,
    Compare,
    Join,
    Retract,
    event_from_dict,
    event_to_dict,
)
from peerproof.reference.ranking.observe import observe
from peerproof.reference.ranking.schedule import Comparison
from peerproof.reference.ranking.state import State, initial_state
from peerproof.reference.ranking.step import step
from peerproof.reference.ranking.weights import JudgeState, win_matrix

PROTOCOL = "ranking"

MODEL = Model(
    protocol=PROTOCOL, dialects=tuple(DIALECTS), config_from_mapping=config_from_mapping, to_canonical=to_canonical,
    get_dialect=get_dialect, initial_state=initial_state, step=step, observe=observe,
    event_from_dict=event_from_dict, event_to_dict=event_to_dict,
)
"""The ranking model as the frame sees it (peerproof.reference.model)."""

__all__ = [
    "DEFAULT_DIALECT", "DIALECTS", "EVENT_TYPES", "MODEL", "PROTOCOL", "SOLVERS", "Close", "Compare", "Comparison",
    "Config", "Consensus", "Dialect", "Fit", "Join", "JudgeState", "Retract", "State", "config_from_mapping",
    "consensus", "event_from_dict", "event_to_dict", "fit", "get_dialect", "initial_state", "load_config",
    "mle_exists", "observe", "step", "strong_components", "to_canonical", "win_matrix",
]
