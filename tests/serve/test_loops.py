from __future__ import annotations

import time

from anxin.background import Loop


def test_a_failing_round_never_kills_the_loop() -> None:
    calls: list[int] = []

    def round() -> bool:
        calls.append(1)
        if len(calls) % 2:
            raise RuntimeError("boom")
        return False

    loop = Loop("test", round, 0.01)
    loop.start()
    deadline = time.monotonic() + 10
    while len(calls) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert loop.status()["alive"]
    loop.stop(5)
    assert not loop.thread.is_alive()
    assert loop.failures >= 3
    assert loop.last_error == "RuntimeError: boom"
