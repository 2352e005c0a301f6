"""peerproof: formal specs, executable reference models and attack synthesis for P2P AI network protocols.

The public API, protocol-generic; everything protocol-specific lives in ``peerproof.reference.<protocol>``
(the model), ``peerproof.properties.<protocol>`` and ``peerproof.attacks.<protocol>``. Heavy modules
(plotting, the TypeScript adapter) load on first use.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from peerproof.attacks.finding import VERDICTS, Finding
from peerproof.reference.configfile import ConfigError, ConfigWarning, read_document
from peerproof.reference.model import PROTOCOLS, Model, get_model
from peerproof.reference.trace import Mismatch, Trace, record, replay, trace_from_dict, trace_to_dict

__version__ = "0.1.0"

_LAZY = {
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
    protocol = data.get("protocol")
    if protocol not in PROTOCOLS:
        raise ConfigError(str(path), "protocol", f"unknown or missing protocol {protocol!r}; known: "
                                                 f"{', '.join(PROTOCOLS)}")
    return get_model(protocol).config_from_mapping(data, file=str(path))


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'peerproof' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "PROTOCOLS", "VERDICTS", "ConfigError", "ConfigWarning", "Finding", "Mismatch", "Model", "Trace",
    "bundled_config_path", "bundled_configs", "get_model", "load_config", "plot_trace", "read_trace", "record",
    "replay", "trace_from_dict", "trace_to_dict", "write_itf", "write_trace",
]
