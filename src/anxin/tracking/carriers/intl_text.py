"""Free-text rules for Spanish, Portuguese, French and German scan descriptions, as data: one
table per language, tried after the English ones (``en_text``, which already holds the phrases
the registered French, German and Polish carriers use). Same conventions as ``en_text``: first
matching status wins, first matching reason wins; "will be delivered" is not a delivery; a
pickup point holding the parcel is ``ready_for_pickup``; a refusal is ``returning``.

Patterns accept the text with or without its accents (feeds often strip them).
"""

from __future__ import annotations

from anxin.tracking.rules import Rule, rule
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

SPANISH: tuple[Rule, ...] = (
    rule(r"rechaza|rehus", reason=R.refused),
    rule(
        r"ausente|no se encontr[oó] (al|el) destinatario|nadie en (casa|el domicilio)",
        reason=R.not_home,
    ),
    rule(r"direcci[oó]n (incorrecta|incompleta|err[oó]nea|desconocida)", reason=R.address_problem),
    rule(r"retenid[oa] en aduana|inspecci[oó]n aduanera", reason=R.customs),
    rule(r"extraviad|perdid", reason=R.lost),
    rule(r"da[nñ]ad|averiad", reason=R.damaged),
    rule(r"retras|demora", reason=R.delayed),
    rule(r"devuelto al remitente|entregado al remitente|devoluci[oó]n entregada", S.returned),
    rule(r"devoluci[oó]n|devuelto|en retorno|rechaza|rehus", S.returning),
    rule(
        r"disponible para (su )?(recogida|retir)|list[oa] para (recoger|retirar)|"
        r"en (la )?oficina para (su )?recogida|en punto de recogida|en el locker",
        S.ready_for_pickup,
    ),
    rule(
        r"intento de entrega|no (ha sido |fue )?entregad|entrega fallida|ausente|"
        r"no se pudo entregar",
        S.delivery_failed,
    ),
    rule(r"(?<!ser[aá] )\bentregad[oa]|entrega (realizada|efectuada|completada)", S.delivered),
    rule(
        r"en reparto|sali[oó] (a|para) (reparto|entrega)|en ruta de entrega|repartidor",
        S.out_for_delivery,
    ),
    rule(r"incidencia|retenid|extraviad|da[nñ]ad", S.exception),
    rule(
        r"pre-?admisi[oó]n|informaci[oó]n (recibida|electr[oó]nica)|etiqueta (creada|generada)|"
        r"pendiente de recogida|env[ií]o registrado|datos recibidos",
        S.info_received,
    ),
    rule(r"admitid|recogid|recolectad|aceptad|entregado (por|en) (el|la) remitente", S.picked_up),
    rule(
        r"(llegada|lleg[oó]|recibido) (a|al|en) (el |la )?(centro|almac[eé]n|planta|instalaci)|"
        r"clasificad|centro de (distribuci[oó]n|clasificaci[oó]n|tratamiento)",
        S.at_hub,
    ),
    rule(r"en tr[aá]nsito|en camino|sali[oó] de|en ruta|despachad|aduana", S.in_transit),
)

PORTUGUESE: tuple[Rule, ...] = (
    rule(r"recusad", reason=R.refused),
    rule(
        r"ausente|n[aã]o atendid|destinat[aá]rio n[aã]o (encontrado|localizado)", reason=R.not_home
    ),
    rule(
        r"endere[cç]o (incorreto|incompleto|insuficiente|n[aã]o localizado)",
        reason=R.address_problem,
    ),
    rule(r"fiscaliza[cç][aã]o aduaneira|retido (na|pela) (alf[aâ]ndega|receita)", reason=R.customs),
    rule(r"aguardando pagamento|pagamento (pendente|de tributos)", reason=R.duties_unpaid),
    rule(r"extraviad|roubad", reason=R.lost),
    rule(r"avariad|danificad", reason=R.damaged),
    rule(r"atras", reason=R.delayed),
    rule(r"entregue ao remetente|devolvido ao remetente", S.returned),
    rule(r"devolu[cç][aã]o|devolvid|recusad", S.returning),
    rule(
        r"aguardando retirada|dispon[ií]vel para retirada|pronto para retirada|"
        r"dispon[ií]vel no (locker|ponto)",
        S.ready_for_pickup,
    ),
    rule(
        r"entrega n[aã]o (pode ser )?(efetuada|realizada)|tentativa de entrega|ausente|"
        r"n[aã]o atendid|n[aã]o entregue",
        S.delivery_failed,
    ),
    rule(
        r"saiu para entrega|em rota de entrega|com o carteiro|saiu para distribui",
        S.out_for_delivery,
    ),
    rule(r"\bentregue\b|entrega (realizada|efetuada|conclu[ií]da)", S.delivered),
    rule(r"extraviad|avariad|fiscaliza[cç][aã]o|aguardando pagamento|retido", S.exception),
    rule(
        r"etiqueta (emitida|criada|gerada)|aguardando postagem|objeto ainda n[aã]o chegou|"
        r"informa[cç][oõ]es (eletr[oô]nicas )?recebidas|pedido (criado|recebido)",
        S.info_received,
    ),
    rule(r"postad|coletad|recolhid|recebido do remetente", S.picked_up),
    rule(
        r"(recebido|chegou) (na|à|a) unidade|unidade de (tratamento|distribui[cç][aã]o)|"
        r"centro de (distribui[cç][aã]o|tratamento|triagem)",
        S.at_hub,
    ),
    rule(r"em tr[aâ]nsito|encaminhad|a caminho|saiu da unidade|transferid", S.in_transit),
)

# French and German beyond ``en_text``'s carrier phrases.
FRENCH: tuple[Rule, ...] = (
    rule(r"avis de passage|destinataire absent|absence du destinataire", reason=R.not_home),
    rule(r"adresse (erron[ée]e|inexacte|insuffisante)", reason=R.address_problem),
    rule(r"retour (à|a) l.exp[ée]diteur (effectu|livr|distribu)", S.returned),
    rule(r"retour(né)? (à|a|vers) l.exp[ée]diteur|en retour|refus", S.returning),
    rule(
        r"disponible (en|au|dans (le|un)|dans votre) (point|bureau|relais|consigne|locker)|"
        r"(à|a) retirer|en attente de retrait|pr[eê]t (à|a) (être )?retir",
        S.ready_for_pickup,
    ),
    rule(
        r"avis de passage|tentative de (livraison|distribution)|n.a pas pu [eê]tre (livr|distribu)|"
        r"non livr|[ée]chec de (la )?livraison|destinataire absent",
        S.delivery_failed,
    ),
    rule(r"(?<!sera )\blivr[ée]|remis au destinataire|distribu[ée] au destinataire", S.delivered),
    rule(r"en (cours de )?livraison|en tourn[ée]e|chez le livreur", S.out_for_delivery),
    rule(
        r"exp[ée]dition (cr[ée]{2}|enregistr)|[ée]tiquette (cr[ée]{2}|imprim)|annonc[ée]",
        S.info_received,
    ),
    rule(r"pris en charge|d[ée]pos[ée]|collect[ée]|enl[eè]vement effectu", S.picked_up),
    rule(
        r"(arriv[ée]|tri[ée]|trait[ée]) (sur|dans|au|en) (le |notre )?(site|centre|agence|plate)",
        S.at_hub,
    ),
    rule(r"en transit|en cours d.acheminement|achemin|parti|quitt[ée]", S.in_transit),
)

GERMAN: tuple[Rule, ...] = (
    rule(r"annahme verweigert|verweigert", reason=R.refused),
    rule(r"nicht angetroffen|benachrichtigungskarte", reason=R.not_home),
    rule(
        r"adresse (unbekannt|fehlerhaft|unvollständig)|empfänger unbekannt",
        reason=R.address_problem,
    ),
    rule(r"zurück an (den )?absender (zugestellt|geliefert)", S.returned),
    rule(r"rücksendung|zurück an (den )?absender|retoure|verweigert", S.returning),
    rule(
        r"(zur|bereit zur) abholung|abholbereit|in (der|einer) (filiale|packstation|paketshop)|"
        r"liegt .{0,30}bereit",
        S.ready_for_pickup,
    ),
    rule(
        r"zustellversuch|nicht zugestellt|konnte nicht zugestellt|nicht angetroffen|"
        r"benachrichtigungskarte",
        S.delivery_failed,
    ),
    rule(r"(?<!wird )\bzugestellt|ausgeliefert|übergeben an (den )?empfänger", S.delivered),
    rule(
        r"in zustellung|zustellfahrzeug|auf (dem|der) weg zu(m|r) empfänger|zustelltour",
        S.out_for_delivery,
    ),
    rule(
        r"elektronisch angekündigt|angekündigt|auftragsdaten|daten (übermittelt|empfangen)",
        S.info_received,
    ),
    rule(r"eingeliefert|abgeholt|übernommen|vom absender übergeben", S.picked_up),
    rule(r"paketzentrum|verteilzentrum|depot|bearbeitet|sortier", S.at_hub),
    rule(r"unterwegs|transport|weitergeleitet|verlassen", S.in_transit),
)

RULES: tuple[Rule, ...] = SPANISH + PORTUGUESE + FRENCH + GERMAN
