"""Copy the browser tests' screenshots that the README shows into docs/img/pages, as small
palette PNGs. Run after `make test` (the tests write var/screenshots):

    .venv/bin/python scripts/readme_screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

SHOWN = [
    "hall-order-phone", "hall-order-zh-phone", "hall-orders-desktop",
    "portal-score-desktop", "portal-indicator-desktop", "portal-orders-desktop",
    "portal-service-desktop", "portal-answer-desktop", "portal-enforcement-desktop",
    "portal-privileges-desktop", "portal-listings-desktop",
    "console-kpis-desktop", "console-kpi-drill-desktop", "console-scores-desktop",
    "console-queues-desktop", "console-policy-diff-desktop", "signin-phone",
]  # fmt: skip


def main(source: Path = Path("var/screenshots"), out: Path = Path("docs/img/pages")) -> int:
    out.mkdir(parents=True, exist_ok=True)
    missing = [n for n in SHOWN if not (source / f"{n}.png").exists()]
    if missing:
        print(f"not in {source} (run the browser tests first): {', '.join(missing)}")
        return 1
    for name in SHOWN:
        with Image.open(source / f"{name}.png") as image:
            small = image.convert("RGB").quantize(colors=96, method=Image.Quantize.MEDIANCUT)
            small.save(out / f"{name}.png", optimize=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
