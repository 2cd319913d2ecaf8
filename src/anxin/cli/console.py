"""The rich console every command prints with."""

from __future__ import annotations

import os

from rich.console import Console, ConsoleDimensions

# Width when output is not a terminal (a pipe, a file, a test runner): rich would assume 80
# columns and fold tables; a table only takes the width its cells need, so this never pads.
PIPED_WIDTH = 10_000


class PipeFriendlyConsole(Console):
    """A rich console that, when its output is not a terminal and ``COLUMNS`` is unset, renders
    at :data:`PIPED_WIDTH` instead of 80 columns, so piped tables keep every value whole."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self._width is None and not self.is_terminal and "COLUMNS" not in os.environ:
            return ConsoleDimensions(PIPED_WIDTH, size.height)
        return size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size
