from __future__ import annotations

from collections.abc import Iterator

import pytest

from anxin.delivery.envelope import new_secret
from tests.delivery.receiver import Receiver, serve


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(new_secret())
    server = serve(r)
    yield r
    server.shutdown()
    server.server_close()
