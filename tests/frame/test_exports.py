"""The public API is exactly what README.md and ARCHITECTURE.md promise, and every name resolves."""

import peerproof


def test_every_exported_name_resolves() -> None:
    for name in peerproof.__all__:
        assert getattr(peerproof, name) is not None, name


def test_load_config_dispatches_on_the_protocol_field() -> None:
    config = peerproof.load_config(peerproof.bundled_config_path("eth2-lighthouse"))
    assert config.name == "eth2-lighthouse"
    assert "beacon_block" in config.topics


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        peerproof.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def documented_api() -> set[str]:
    """The names README.md's "Public API" section lists (each in backticks at the start of a table row)."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("## Public API", 1)[1].split("\n## ", 1)[0]
    rows = [row.split("|")[1] for row in section.splitlines() if row.startswith("| `")]
    return {name for cell in rows for name in re.findall(r"`(\w+)`", cell)}


def test_the_public_api_is_exactly_what_the_readme_lists() -> None:
    assert documented_api() == set(peerproof.__all__)


def test_bundled_config_names_are_unique_across_protocols() -> None:
    """A bundled config is addressed by its name alone wherever a path is accepted, and its check output goes
    to peerproof-out/<name>/: two protocols must not bundle the same name (PROTOCOL/NAME also works)."""
    names = [c.name for c in peerproof.bundled_configs()]
    assert len(names) == len(set(names)), sorted(n for n in set(names) if names.count(n) > 1)


def test_protocol_slash_name_addresses_a_bundled_config() -> None:
    config = peerproof.bundled_configs("gossipsub")[0]
    assert peerproof.bundled_config_path(f"gossipsub/{config.name}") == config.path
