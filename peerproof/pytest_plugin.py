"""pytest plugin (entry point ``pytest11``): ``pytest --peerproof-adapter "CMD"`` runs the conformance suites.

Inside a user's own test run, the adapter is compared with the reference model (PP-ADAPTER-8): one test
item per bundled vector case, one per config for the generated traces (as many as the active Hypothesis
profile's ``max_examples``, or ``--peerproof-traces``), and one per attack trace of the manifest's violations
(the security properties). Without ``--peerproof-adapter`` the plugin adds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SUITES = ("vectors", "generated", "attacks")


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options."""
    group = parser.getgroup("peerproof", "peerproof conformance of an implementation")
    group.addoption("--peerproof-adapter", metavar="CMD", help="run the conformance suites against this adapter")
    group.addoption("--peerproof-dialect", metavar="D", help="compare with the model in this dialect (default: the "
                                                             "adapter's)")
    group.addoption("--peerproof-config", action="append", default=[], metavar="NAME|FILE",
                    help="generated traces on this config (repeatable; default: every bundled one)")
    group.addoption("--peerproof-traces", type=int, metavar="N",
                    help="generated traces per config (default: the Hypothesis profile's max_examples)")
    group.addoption("--peerproof-out", default="peerproof-out/conformance", metavar="DIR",
                    help="where differing traces go")
    group.addoption("--peerproof-suite", action="append", choices=SUITES, metavar="SUITE",
                    help=f"run only this suite (repeatable: {', '.join(SUITES)}; default: all three)")


class ConformanceItem(pytest.Item):
    """One suite item: a vector case, a config's generated traces, or an attack trace."""

    def __init__(self, *, suite: str, case: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite, self.case = suite, case

    def runtest(self) -> None:
        """Run the one item through the shared adapter; fail with the divergence."""
        from peerproof import conformance as c

        run = self.session.config.stash[RUN_KEY]
        before = len(run.outcomes)
        if self.suite == "vectors":
            case = next(x for x in _cases(run, "cases") if x.name == self.case)
            run.outcomes.append(c.judge(run, "vectors", case.name, case.config, case.events))
        elif self.suite == "attacks":
            case = next(x for x in _cases(run, "attacks") if x.name == self.case)
            run.outcomes.append(c.judge_attack(run, case))
        else:
            options = self.session.config.option
            c.run_generated(run, c.selected_configs(run.model, [self.case]), _traces(options), 0)
        for outcome in run.outcomes[before:]:
            if outcome.status == "diverge":
                raise ConformanceFailure(f"{outcome.detail}\n  trace written to {outcome.trace_file}")
            if outcome.status == "skip":
                pytest.skip(outcome.detail)
            if outcome.attack:
                self.user_properties.append(("attack", outcome.attack))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The divergence in words, without a traceback."""
        if isinstance(excinfo.value, ConformanceFailure):
            return f"{self.suite}/{self.case} diverges from the reference model: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the item comes from (for pytest's report)."""
        return Path(__file__), 0, f"peerproof conformance {self.suite}/{self.case}"


class ConformanceSuite(pytest.Collector):
    """The node the conformance items hang from (they are appended after collection, not collected)."""

    def collect(self) -> list[pytest.Item]:
        """Nothing to collect: the items are built from the vectors and configs directly."""
        return []


class ConformanceFailure(AssertionError):
    """The implementation diverged from the reference model."""


RUN_KEY = pytest.StashKey[Any]()


def _traces(options: Any) -> int:
    if options.peerproof_traces is not None:
        return int(options.peerproof_traces)
    from hypothesis import settings

    return int(settings.default.max_examples)  # the active profile's


def _cases(run: Any, kind: str) -> list[Any]:
    from peerproof.vectors import load_cases

    return load_cases(run.model.protocol, kind)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Append the conformance items when ``--peerproof-adapter`` is given (the adapter starts here, once)."""
    command = config.option.peerproof_adapter
    if not command:
        return
    from peerproof import conformance as c
    from peerproof.adapters.protocol import AdapterProcess
    from peerproof.adapters.targets import target
    from peerproof.reference.model import get_model

    adapter = AdapterProcess(command)
    config.add_cleanup(adapter.close)
    model = get_model(adapter.hello.protocol)
    dialect = config.option.peerproof_dialect or adapter.hello.dialect
    run = c.Run(adapter, model, dialect, target(model.protocol), Path(config.option.peerproof_out))
    config.stash[RUN_KEY] = run
    parent = ConformanceSuite.from_parent(session, name=f"peerproof[{model.protocol}:{dialect}]")
    from peerproof.spec import bundled_configs

    suites = config.option.peerproof_suite or SUITES
    chosen = config.option.peerproof_config or [b.name for b in bundled_configs(model.protocol)]
    names = [("vectors", x.name) for x in _cases(run, "cases")] if "vectors" in suites else []
    names += [("generated", t) for t in chosen] if "generated" in suites and _traces(config.option) > 0 else []
    names += [("attacks", x.name) for x in _cases(run, "attacks")] if "attacks" in suites else []
    for suite, case in names:
        label = Path(case).stem if suite == "generated" else case
        items.append(ConformanceItem.from_parent(parent, name=f"{suite}/{label}", suite=suite, case=case))
