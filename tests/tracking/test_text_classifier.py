"""Status from scan text for carriers without a code table: rules per language (table-driven,
with their boundaries), the text model behind them, and the code table first where it exists."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.data import data_path
from anxin.tracking import RawScan, Status, normalize
from anxin.tracking.carriers import GENERIC_EN
from anxin.tracking.normalize import classify_with
from anxin.tracking.textmodel import TextModel, loads, shipped
from anxin.tracking.vocabulary import Reason

S = Status
AT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def status(text: str, carrier: str = "an-unknown-carrier", code: str = "") -> Status:
    return normalize(RawScan(carrier, "T1", AT, code, text)).status


# (language, text, status): each language's main stages, and the phrases that sit on a
# boundary between two of them.
CASES = [
    # English
    ("en", "Delivered, In/At Mailbox", S.delivered),
    ("en", "Delivered to parcel locker, awaiting collection", S.ready_for_pickup),
    ("en", "Your parcel will be delivered today", S.out_for_delivery),
    ("en", "Delivery attempted - no one home", S.delivery_failed),
    ("en", "Refused by recipient, returning to sender", S.returning),
    ("en", "ENROUTE", S.in_transit),
    # French
    ("fr", "Article livré avec succès", S.delivered),
    ("fr", "Votre colis sera livré demain", S.in_transit),  # a promise is not a delivery
    ("fr", "Votre colis est en cours de livraison", S.out_for_delivery),
    ("fr", "Avis de passage, destinataire absent", S.delivery_failed),
    ("fr", "Votre colis est disponible dans votre point de retrait", S.ready_for_pickup),
    ("fr", "Votre colis a été pris en charge", S.picked_up),
    # German
    ("de", "Die Sendung wurde dem Empfänger erfolgreich zugestellt", S.delivered),
    ("de", "Die Sendung wird heute zugestellt", S.out_for_delivery),  # "wird … zugestellt"
    ("de", "Die Sendung konnte nicht zugestellt werden", S.delivery_failed),
    ("de", "Die Sendung liegt in der Filiale zur Abholung bereit", S.ready_for_pickup),
    ("de", "Die Sendung wurde im Start-Paketzentrum bearbeitet", S.at_hub),
    ("de", "Die Sendung wurde elektronisch angekündigt", S.info_received),
    # Spanish
    ("es", "Entregado", S.delivered),
    ("es", "Será entregado mañana", S.in_transit),  # a promise, not a delivery
    ("es", "En reparto", S.out_for_delivery),
    ("es", "Intento de entrega fallido, destinatario ausente", S.delivery_failed),
    ("es", "Disponible para recoger en oficina", S.ready_for_pickup),
    ("es", "Devuelto al remitente", S.returned),
    ("es", "Admitido", S.picked_up),
    # Portuguese
    ("pt", "Objeto entregue ao destinatário", S.delivered),
    ("pt", "Objeto saiu para entrega ao destinatário", S.out_for_delivery),
    ("pt", "A entrega não pode ser efetuada - carteiro não atendido", S.delivery_failed),
    ("pt", "Objeto aguardando retirada no endereço indicado", S.ready_for_pickup),
    ("pt", "Objeto em trânsito - por favor aguarde", S.in_transit),
    ("pt", "Objeto postado", S.picked_up),
    ("pt", "Objeto entregue ao remetente", S.returned),
    # Chinese
    ("zh", "已签收，签收人是【本人】", S.delivered),
    ("zh", "快件已放入快递柜，请凭取件码取件", S.ready_for_pickup),
    ("zh", "派送失败，收件人电话无人接听", S.delivery_failed),
    ("zh", "快件到达【广州转运中心】", S.at_hub),
]


@pytest.mark.parametrize(("language", "text", "expected"), CASES)
def test_scan_text_by_language(language: str, text: str, expected: Status) -> None:
    assert status(text) is expected, (language, text)


def test_every_language_is_covered() -> None:
    assert {c[0] for c in CASES} == {"en", "fr", "de", "es", "pt", "zh"}


def test_code_table_stays_first() -> None:
    # FedEx's own code says "delivery exception" whatever the text says.
    assert status("Delivered", carrier="fedex", code="DE") is S.delivery_failed
    assert status("Delivered", carrier="fedex") is S.delivered
    # An incident from text alone carries an unknown reason, never none.
    event = normalize(RawScan("an-unknown-carrier", "T1", AT, "", "Envío retenido en aduana"))
    assert (event.status, event.reason) == (S.exception, Reason.customs)


def _toy_model(threshold: float) -> TextModel:
    # Two classes, two n-grams: "xq" means delivered, "zk" means in transit.
    return TextModel(
        classes=(S.delivered, S.in_transit),
        index={"xq": 0, "zk": 1},
        idf=(1.0, 1.0),
        weights=((4.0, -4.0), (-4.0, 4.0)),
        intercepts=(0.0, 0.0),
        threshold=threshold,
    )


def test_model_speaks_only_when_rules_are_silent_and_it_is_confident() -> None:
    model = _toy_model(0.6)
    # The rules decide first.
    assert classify_with(GENERIC_EN, "", "Delivered xq", model).by == "text"
    found = classify_with(GENERIC_EN, "", "xqxq", model)
    assert (found.status, found.by) == (S.delivered, "model")
    # Both n-grams: a 50/50 guess is no answer.
    assert classify_with(GENERIC_EN, "", "xq zk", model).status is S.unknown
    # Nothing it knows: no answer either.
    assert classify_with(GENERIC_EN, "", "hello", model).status is S.unknown
    assert classify_with(GENERIC_EN, "", "xqxq", None).status is S.unknown


def test_model_file_round_trips() -> None:
    model = _toy_model(0.7)
    again = loads(model.dumps())
    assert again.predict("xqxq") == model.predict("xqxq")
    assert again.threshold == 0.7


def test_shipped_model_reads_the_issue_examples_by_itself() -> None:
    model = shipped()
    assert model is not None
    for text, expected in (
        ("Delivered, In/At Mailbox", S.delivered),
        ("Article livré avec succès", S.delivered),
        ("Objeto entregue ao destinatário", S.delivered),
    ):
        guess = model.predict(text)
        assert guess is not None, text
        assert guess[0] is expected, text
    # Text it has no grounds for stays unread.
    assert model.predict("温馨提示：请注意防范诈骗电话") is None


def test_training_is_reproducible_and_leaves_carriers_out() -> None:
    pytest.importorskip("sklearn")
    from anxin.tracking.texttrain import (
        family,
        fixture_carriers,
        fixture_texts,
        train,
        training_pairs,
    )

    root = data_path("carrier_tracking_fixtures")
    if not (root / "INDEX.csv").is_file():
        pytest.skip("shared carrier fixtures not present")
    pairs = training_pairs(root)
    assert train(pairs).dumps() == train(pairs).dumps()
    without = {t.casefold() for t, _ in training_pairs(root, exclude=["usps"])}
    texts = fixture_texts(root, fixture_carriers(root))
    left_out = {t.casefold() for c in ("usps", "usps_international") for t, _ in texts[c]}
    others = {t.casefold() for c, p in texts.items() if family(c) != "usps" for t, _ in p}
    assert left_out  # the USPS fixtures teach the full model …
    # … and nothing but other carriers' own identical wordings reaches the left-out model.
    assert (left_out & without) <= others
    assert left_out & without == {"out for delivery"}
