"""Labels from outcomes in the stream (never from the simulator's truth).

A request is labelled abusive (1) when the stream later shows, about that very request:
- its return arrived empty, with the wrong item or with parts missing;
- the platform refused the consumer after an escalation (an upheld finding);
- "not received" was claimed on a parcel the carrier scanned delivered, and the claim was not
  refunded in the end (the finding was upheld);
- a return was agreed and never shipped: the case closed without it (within the pack's window).

Otherwise a request resolved by the label horizon is labelled 0; one still open is unlabelled
(``None``): it is left out of training and of the losses on labelled outcomes.
"""

from __future__ import annotations

from anxin.refunds.history import Case, OrderFacts, case_findings


def label(case: Case, order: OrderFacts, horizon_us: int) -> int | None:
    if case.resolved_us is None or case.resolved_us > horizon_us:
        return None
    for at, finding in case_findings(case, order):
        if at > horizon_us:
            continue
        if finding == "not_received_after_delivery" and case.outcome == "refunded":
            continue  # the merchant or the platform believed the consumer
        return 1
    return 0
