"""Package discovery: every folder with an ``__init__.py`` below the layer folders is a package.

pyproject.toml maps the layers (``spec/`` is ``peerproof.spec``, ``reference/`` is ``peerproof.reference``
…); ``reference/gossipsub/`` is then ``peerproof.reference.gossipsub`` and so on, found here, so a new
protocol needs no edit in either file.
"""

from pathlib import Path

from setuptools import setup

LAYERS = ("spec", "reference", "properties", "attacks")
ROOT = Path(__file__).parent


def discovered() -> list[str]:
    """Every package of the distribution."""
    packages = []
    for top, prefix in (("peerproof", "peerproof"), *((layer, f"peerproof.{layer}") for layer in LAYERS)):
        for init in sorted((ROOT / top).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT / top)
            if "node_modules" in rel.parts or "__pycache__" in rel.parts:
                continue
            packages.append(".".join((prefix, *rel.parts)))
    return packages


setup(packages=discovered())
