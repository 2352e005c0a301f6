"""peerproof: formal specs, executable reference models and attack synthesis for P2P AI network protocols.

The public API, protocol-generic; everything protocol-specific lives in ``peerproof.reference.<protocol>``
(the model), ``peerproof.properties.<protocol>`` and ``peerproof.attacks.<protocol>``. Heavy modules
(plotting, the TypeScript adapter, the attack layer) load on first use, so importing the model
loads no engine.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

if (Path(__file__).parent.parent / "reference" / "model.py").is_file():
    # A source checkout: the layer folders beside this one are peerproof's subpackages (setup.py maps them
    # the same way when installing), so running from the checkout finds them even when this folder
    # shadows an installed copy.
    __path__.append(str(Path(__file__).parent.parent))

from peerproof.reference.configfile import ConfigError, ConfigWarning, read_document
from peerproof.reference.configframe import protocol_of
from peerproof.reference.model import PROTOCOLS, Model, get_model, register_model
from peerproof.reference.trace import Mismatch, Trace, record, replay, trace_from_dict, trace_to_dict
from peerproof.reference.verdicts import VERDICTS

__version__ = "0.1.0"

_LAZY = {
    "Finding": "peerproof.attacks.finding",
    "Checks": "peerproof.attacks.checks",
    "get_checks": "peerproof.attacks.checks",
    "register_checks": "peerproof.attacks.checks",
    "read_trace": "peerproof.traceio",
    "write_trace": "peerproof.traceio",
    "write_itf": "peerproof.itf",
    "plot_trace": "peerproof.plot",
    "bundled_configs": "peerproof.spec",
    "bundled_config_path": "peerproof.spec",
}


def load_config(path: str | Path) -> Any:
    """Read and validate a config file of any protocol (its ``protocol`` field picks the model)."""
    data = read_document(path)
    protocol = protocol_of(data, str(path))
    try:
        model = get_model(protocol)
    except ValueError as exc:
        raise ConfigError(str(path), "protocol", str(exc)) from None
    return model.config_from_mapping(data, file=str(path))


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'peerproof' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "PROTOCOLS", "VERDICTS", "Checks", "ConfigError", "ConfigWarning", "Finding", "Mismatch", "Model", "Trace",
    "bundled_config_path", "bundled_configs", "get_checks", "get_model", "load_config", "plot_trace", "read_trace",
    "record", "register_checks", "register_model", "replay", "trace_from_dict", "trace_to_dict", "write_itf",
    "write_trace",
]
