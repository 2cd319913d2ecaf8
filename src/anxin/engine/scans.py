"""The engine's view of the scan normalizer: (carrier, code, text) → (status, reason, fault).

Memoised: carriers repeat the same few codes and texts millions of times, and classification
(pattern rules over free text) is the costliest step of folding a scan.
"""

from __future__ import annotations

from functools import lru_cache

from anxin.tracking.carriers import DEFAULT, vocabulary
from anxin.tracking.rules import classify
from anxin.tracking.vocabulary import fault_of


@lru_cache(maxsize=1 << 16)
def classify_scan(carrier: str, code: str, text: str) -> tuple[str, str, str]:
    found = classify(vocabulary(carrier, text, DEFAULT), code, text)
    fault = fault_of(found.reason)
    return str(found.status), str(found.reason or ""), str(fault or "")
