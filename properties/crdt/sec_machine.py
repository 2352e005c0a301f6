"""Strong eventual consistency as a Hypothesis state machine (CR-PROP-5): replicas, updates and a hostile network.

Rules: a local update at any replica (queued for the others), ``sync`` (ship a whole state), deliver,
duplicate or drop any queued message (chosen by Hypothesis, so every order is reachable and shrinks),
partition off one replica, heal, and a full anti-entropy round. Invariants after every rule: replicas
that delivered the same updates show the same value (CR-PROP-5), every replica only moves up its
lattice (CR-PROP-4 and merge inflation), and (counters with an invariant) the invariant (CR-PROP-6).
Every step goes through the model's own ``step``; the events are kept, so a failure is a trace.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from peerproof.properties.crdt.alphabet import honest_update, quiesce, run, update_ops
from peerproof.properties.crdt.witness import leq
from peerproof.reference.crdt import MODEL, Config, Deliver, Drop, Duplicate, Heal, Partition, Sync


def machine_for(config: Config) -> type[RuleBasedStateMachine]:
    """A state machine class checking CR-PROP-5 on ``config``'s network."""
    replicas = st.sampled_from(config.replicas)

    class Network(RuleBasedStateMachine):
        """The network under test and the events that built it."""

        def __init__(self) -> None:
            super().__init__()
            _, self.state = MODEL.start(config)
            self.events: list[Any] = []
            self.at = 1000
            self.before = self.state

        def apply(self, new: list[Any]) -> None:
            """Step the network through ``new`` and keep the events."""
            self.before = self.state
            self.state = run(config, self.state, new)
            self.events += new

        @rule(r=replicas, which=st.integers(0, 7), later=st.booleans())
        def update(self, r: str, which: int, later: bool) -> None:
            """A local update at ``r``, queued for the others (time may move on a second)."""
            self.at += 1000 * later
            op, value = update_ops(config)[which % len(update_ops(config))]
            self.apply([honest_update(config, self.state, r, op, value, self.at, quiet=False)])

        @rule(src=replicas, dst=replicas)
        def sync(self, src: str, dst: str) -> None:
            """``src`` queues its whole state for ``dst``."""
            if src != dst:
                self.apply([Sync(self.at, src, dst)])

        @precondition(lambda self: bool(self.state.buffer))
        @rule(data=st.data(), what=st.sampled_from(("deliver", "duplicate", "drop")))
        def network(self, data: st.DataObject, what: str) -> None:
            """The network delivers, copies or loses any queued message."""
            msg = data.draw(st.sampled_from([m.id for m in self.state.buffer]))
            self.apply([{"deliver": Deliver, "duplicate": Duplicate, "drop": Drop}[what](self.at, msg)])

        @precondition(lambda self: not self.state.groups)
        @rule(cut=replicas)
        def partition(self, cut: str) -> None:
            """Cut one replica off from the rest."""
            self.apply([Partition(self.at, ",".join(r for r in config.replicas if r != cut) + "|" + cut)])

        @precondition(lambda self: bool(self.state.groups))
        @rule()
        def heal(self) -> None:
            """End the partition."""
            self.apply([Heal(self.at)])

        @rule()
        def anti_entropy(self) -> None:
            """Heal, deliver everything, ship every state everywhere: all replicas must then read the same."""
            self.at += 1000
            self.apply(quiesce(config, self.state, self.at))
            values = {repr(MODEL.observe(config, self.state, None)["replicas"][r]["value"]) for r in config.replicas}
            assert len(values) == 1, f"CR-PROP-5: replicas differ after full anti-entropy: {values}"

        @invariant()
        def same_updates_same_value(self) -> None:
            """CR-PROP-5: replicas that delivered the same updates read the same value."""
            obs = MODEL.observe(config, self.state, None)["replicas"]
            by_seen: dict[tuple[int, ...], Any] = {}
            for r in config.replicas:
                seen = tuple(obs[r]["seen"])
                if seen:
                    first = by_seen.setdefault(seen, obs[r]["value"])
                    assert first == obs[r]["value"], f"CR-PROP-5: {r} delivered {seen} but reads differently"

        @invariant()
        def replicas_only_move_up(self) -> None:
            """CR-PROP-4 and merge inflation: no replica moves down its lattice (GC excepted)."""
            for r in config.replicas:
                old, new = self.before.replicas[r].state, self.state.replicas[r].state
                assert leq(config, old, new) or config.gc_horizon_ms is not None, f"CR-PROP-4: {r} moved down"

        @invariant()
        def invariant_holds(self) -> None:
            """CR-PROP-6: the application invariant at every replica."""
            if config.min_value is not None:
                for r in config.replicas:
                    assert MODEL.observe(config, self.state, None)["replicas"][r]["value"] >= config.min_value

    Network.__name__ = f"Network_{config.name or config.type}".replace("-", "_")
    return Network
