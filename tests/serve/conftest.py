"""The real signing webhook receiver of tests/delivery, shared."""

from tests.delivery.conftest import receiver  # noqa: F401
