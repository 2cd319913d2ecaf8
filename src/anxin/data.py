"""Where the shared data sets live (Olist sample, carrier fixtures): one setting, ``ANXIN_DATA``.

The data is public but licensed apart from the code (CC BY-NC-SA, LGPL test data), so it is
never copied into the repository: it sits in ``shared/data`` beside the checkout. Every command
and test that reads it resolves paths here, so a fresh clone, a worktree and CI agree.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "ANXIN_DATA"


def data_root() -> Path:
    """``ANXIN_DATA`` when set; else ``shared/data`` beside the repository holding this source
    tree (an editable install or ``PYTHONPATH=src``), when present; else ``../shared/data``
    from the working directory."""
    given = os.environ.get(ENV)
    if given:
        return Path(given).expanduser()
    here = Path(__file__).resolve()
    if here.parents[1].name == "src":  # src/anxin/data.py: parents[2] is the repository
        beside_repo = here.parents[2].parent / "shared" / "data"
        if beside_repo.is_dir():
            return beside_repo
    return Path.cwd().parent / "shared" / "data"


def data_path(name: str | Path) -> Path:
    """``name`` as given when it exists, else the same name under :func:`data_root` (so
    ``olist_sample_4k`` works from anywhere); an absent name is returned as given."""
    path = Path(name).expanduser()
    if path.exists() or path.is_absolute():
        return path
    under = data_root() / path
    return under if under.exists() else path


def missing_data_message(what: str, paths: list[Path]) -> str:
    """Why a data set is unusable, naming the setting that fixes it."""
    shown = ", ".join(map(str, paths))
    return (
        f"{what} not found: {shown} (set {ENV} to the shared data folder; default: shared/data "
        f"beside the repository, here {data_root()})"
    )
