"""Named crash points for the exactly-once tests.

``ANXIN_FAILPOINT=ingest.before_commit:3`` kills the process with SIGKILL the third time the
engine passes that point: mid-transaction, after the batch's writes and before its commit. Unset
(always, outside tests) a failpoint costs one dict lookup.
"""

from __future__ import annotations

import os
import signal

_spec = os.environ.get("ANXIN_FAILPOINT", "")
_name, _, _count = _spec.partition(":")
_remaining = int(_count or 1) if _name else 0


def hit(name: str) -> None:
    global _remaining
    if not _remaining or name != _name:
        return
    _remaining -= 1
    if _remaining == 0:
        os.kill(os.getpid(), signal.SIGKILL)
