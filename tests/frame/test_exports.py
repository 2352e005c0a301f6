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
