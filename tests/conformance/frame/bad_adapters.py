"""Adapters that break the protocol in one way each (``python bad_adapters.py MODE``), for the error tests.

Modes: ``silent`` (reads requests, never answers), ``garbage`` (answers with non-JSON), ``old-version``
(a hello for another protocol version), ``crash-on-apply`` (answers like the reference model, exits on the
first ``apply``), ``error-without-code`` (an error reply missing its code).
"""

from __future__ import annotations

import json
import sys
import time

from peerproof.adapters.serve import ReferenceImplementation, answer


def main(mode: str) -> int:
    """Serve stdin in the broken way ``mode`` names."""
    reference = ReferenceImplementation("gossipsub", "ts")
    for line in sys.stdin:
        request = json.loads(line)
        if mode == "silent":
            time.sleep(3600)
        if mode == "garbage":
            reply: object = "<html>not json</html>"
            sys.stdout.write(f"{reply}\n")
            sys.stdout.flush()
            continue
        if mode == "old-version" and request["op"] == "hello":
            reply = {"ok": True, "version": "peerproof-adapter/0", "protocol": "gossipsub", "dialect": "ts"}
        elif mode == "crash-on-apply" and request["op"] == "apply":
            sys.stderr.write("segmentation fault (simulated)\n")
            return 139
        elif mode == "error-without-code" and request["op"] == "reset":
            reply = {"ok": False, "error": "no"}
        else:
            reply = answer(reference, request)
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
