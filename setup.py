"""Package discovery: the layer folders at the top of the checkout are the subpackages of ``peerproof``.

``spec/`` is ``peerproof.spec``, ``reference/gossipsub/`` is ``peerproof.reference.gossipsub`` and so on;
every folder below a layer that has an ``__init__.py`` is found, so a new protocol needs no edit here.
"""

from pathlib import Path

from setuptools import setup

LAYERS = ("spec", "reference", "properties", "attacks")
ROOT = Path(__file__).parent


def discovered() -> tuple[list[str], dict[str, str]]:
    """Every package of the distribution and the folder it comes from."""
    packages, dirs = [], {"peerproof": "peerproof"}
    for top, prefix in (("peerproof", "peerproof"), *((layer, f"peerproof.{layer}") for layer in LAYERS)):
        dirs[prefix] = top
        for init in sorted((ROOT / top).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT / top)
            if "node_modules" in rel.parts or "__pycache__" in rel.parts:
                continue
            packages.append(".".join((prefix, *rel.parts)))
    return packages, dirs


packages, package_dir = discovered()
setup(packages=packages, package_dir=package_dir)
