"""The Node.js harness for the TypeScript adapter: the pinned npm packages, installed once into a cache.

``node/package.json`` pins ``@libp2p/gossipsub`` exactly and ``node/package-lock.json`` pins every
transitive dependency; ``npm ci`` installs precisely that tree. The install lives outside the source tree
(``$PEERPROOF_CACHE/node-<hash>`` or ``~/.cache/peerproof/node-<hash>``, the hash covering both files), so an
installed wheel works too, and a changed lock file gets a fresh directory instead of a stale one.
The install is atomic: it happens in a temporary sibling directory that is renamed into place only after
``npm ci`` succeeds, so an interrupted install never leaves a half-filled harness behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "node"
DRIVER = NODE_DIR / "driver.mjs"
MANIFESTS = ("package.json", "package-lock.json")
PINNED_PACKAGE = "@libp2p/gossipsub"
INSTALLED_MARKER = ".peerproof-installed"
NPM_TIMEOUT_S = 600


class HarnessUnavailable(RuntimeError):
    """The Node.js harness cannot be used: Node.js or npm is missing, or ``npm ci`` failed."""


class NodeMissing(HarnessUnavailable):
    """No ``node`` (or no ``npm``) executable on PATH."""


def node_executable() -> str:
    """The path of ``node``; NodeMissing with what to install otherwise."""
    node = shutil.which("node")
    if node is None:
        raise NodeMissing("Node.js is not installed (no `node` on PATH); the TypeScript adapter needs Node.js >= 18")
    return node


def lock_digest(source: Path = NODE_DIR) -> str:
    """A short hash of package.json and package-lock.json: the name of the matching cache directory."""
    h = hashlib.sha256()
    for name in MANIFESTS:
        h.update(name.encode() + b"\0" + (source / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def cache_root() -> Path:
    """``$PEERPROOF_CACHE`` if set, else ``~/.cache/peerproof``."""
    env = os.environ.get("PEERPROOF_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "peerproof"


def is_installed(harness: Path) -> bool:
    """True once ``npm ci`` completed in ``harness`` (the marker is written last)."""
    return (harness / INSTALLED_MARKER).is_file() and (harness / "node_modules" / PINNED_PACKAGE).is_dir()


def ensure_node_harness(source: Path = NODE_DIR) -> Path:
    """The directory holding the pinned node_modules, running ``npm ci`` there on first use.

    Raises NodeMissing if node or npm is not on PATH, HarnessUnavailable if the install fails (with npm's
    output, so the cause — no network, a registry error — is visible).
    """
    node_executable()
    harness = cache_root() / f"node-{lock_digest(source)}"
    if is_installed(harness):
        return harness
    npm = shutil.which("npm")
    if npm is None:
        raise NodeMissing("npm is not installed (no `npm` on PATH); it is needed once to install the pinned "
                          f"{PINNED_PACKAGE} into {harness}")
    harness.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{harness.name}-", dir=harness.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the harness is a shared cache
    try:
        for name in MANIFESTS:
            shutil.copyfile(source / name, staging / name)
        _npm_ci(npm, staging, harness)
        (staging / INSTALLED_MARKER).write_text("npm ci completed\n")
        try:
            staging.rename(harness)
        except OSError as exc:
            if not is_installed(harness):  # not a concurrent install that won the race: a real failure
                raise HarnessUnavailable(f"cannot move the finished install into {harness} ({exc}); remove that "
                                         "directory and retry") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return harness


def _npm_ci(npm: str, directory: Path, target: Path) -> None:
    command = [npm, "ci", "--no-audit", "--no-fund"]
    try:
        done = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=NPM_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        raise HarnessUnavailable(f"`{' '.join(command)}` for {target} took more than {NPM_TIMEOUT_S}s") from None
    if done.returncode != 0:
        # npm states the cause first and appends usage text or a log path after it.
        head = "\n".join((done.stderr.strip() or done.stdout.strip()).splitlines()[:12])
        raise HarnessUnavailable(f"`npm ci` failed (exit {done.returncode}) installing the pinned {PINNED_PACKAGE} "
                                 f"for {target}:\n{head}")


def ts_adapter_command(harness: Path | None = None) -> str:
    """The ``--adapter`` command of the TS PeerScore driver (installing the pinned harness on first use)."""
    import shlex

    harness = harness or ensure_node_harness()
    return shlex.join(["env", f"PEERPROOF_NODE_HARNESS={harness}", node_executable(), str(DRIVER)])


if __name__ == "__main__":  # python -m peerproof.adapters.install: print the TS adapter's command
    print(ts_adapter_command())
