"""Where the pages' JavaScript libraries are: installed from npm at set-up (``make`` runs
``npm ci --prefix web``) and served from this machine, so no page asks a CDN for anything."""

from __future__ import annotations

import os
from pathlib import Path

# Served name → path under node_modules.
VENDOR: dict[str, str] = {
    "alpine.js": "alpinejs/dist/cdn.min.js",
    "chart.js": "chart.js/dist/chart.umd.min.js",
    "htmx.js": "htmx.org/dist/htmx.min.js",
}
STATIC = Path(__file__).parent / "static"


def node_modules() -> Path | None:
    """``ANXIN_WEB_MODULES``, else the checkout's ``web/node_modules`` (None when missing: the
    pages still work, without charts and countdowns)."""
    configured = os.environ.get("ANXIN_WEB_MODULES")
    found = Path(configured) if configured else Path(__file__).parents[3] / "web" / "node_modules"
    return found if found.is_dir() else None


def vendor_file(name: str) -> Path | None:
    base = node_modules()
    rel = VENDOR.get(name)
    if base is None or rel is None:
        return None
    path = base / rel
    return path if path.is_file() else None
