"""Worked-example adapters (PP-ADAPTER-10): oracle libraries behind the adapter protocol.

Each module is runnable as ``python -m peerproof.adapters.oracles.<module>`` and is a template for wrapping
an implementation of one protocol: ``mabwiser_cpm`` (matchmaking on mabwiser's LinUCB), ``choix_consensus``
(ranking on choix's Bradley–Terry fit), ``loro_counter`` (crdt PN-counters on loro's ``LoroCounter``) and
``pycrdt_map`` (crdt LWW maps and registers on pycrdt's ``Map``, Yjs). Each one's ``hello`` says which
configs and dialects it supports; a config it cannot express is refused as ``unsupported`` (the trace is
skipped, not failed). Where a library's semantics differ from the spec, the divergence is documented in the
protocol's spec (``*-DIV-*``) and ``peerproof conformance`` shows it (tests/conformance/<p>/).
"""
