"""Free-text rules for the international carriers: English, with the French, German and Polish
phrases their payloads use. Data only, tried first to last (see ``anxin.tracking.rules``).

Decisions worth knowing:

- "Delivered to a parcel shop / locker / pickup point" is ``ready_for_pickup``; a bare
  "Delivered" (even "Delivered, Parcel Locker", which USPS counts as delivery) is ``delivered``.
- "will be delivered" / "expected to be delivered" is not a delivery, in any language ("wird
  zugestellt", "sera livré", "será entregado"): today's promise is out for delivery, a later
  one in transit.
- A refusal is ``returning`` with reason ``refused`` (the parcel goes back), as in Chinese feeds.
- Routine customs clearance is ``in_transit``; holds, inspections and documents issues are
  ``exception`` with reason ``customs``.
- A departure is ``in_transit`` even when it names a facility; an arrival or processing scan at
  a facility is ``at_hub``; an arrival in a country or town is ``in_transit``.
"""

from __future__ import annotations

from anxin.tracking.rules import Rule, rule
from anxin.tracking.vocabulary import Reason as R
from anxin.tracking.vocabulary import Status as S

_NOT_HOME = (
    r"not (at )?home|nobody (at )?home|no one (at )?home|card left|notice left|"
    r"(customer|consignee|recipient|receiver|addressee) (was )?(not available|unavailable|absent|"
    r"not present|not in)|destinataire absent|nicht angetroffen"
)

# First matching reason wins: specific causes before generic delay / hold.
REASONS: tuple[Rule, ...] = (
    rule(
        r"\brefus|reject(ed)? by (the )?(consignee|recipient|receiver|customer)", reason=R.refused
    ),
    rule(r"\blost\b|\bmissing\b|(cannot|could not) be located|untraceable|perdu", reason=R.lost),
    rule(r"damage|broken|endommag|beschädigt", reason=R.damaged),
    rule(r"wrong item|incorrect item|contents? (mismatch|do(es)? not match)", reason=R.wrong_item),
    rule(r"security|prohibited|dangerous goods|restricted (item|goods|article)", reason=R.security),
    rule(
        r"(duties|duty|taxes|fees?) (unpaid|due|owed|outstanding)|held for payment|"
        r"awaiting payment|payment required",
        reason=R.duties_unpaid,
    ),
    rule(
        r"customs (hold|delay|inspection|exception|query|documentation|documents)|"
        r"(held|retained|stopped) (by|in|at|for) customs|clearance (delay|exception|hold)|"
        r"hold.{0,40}clearance|"
        r"retenu en douane",
        reason=R.customs,
    ),
    rule(
        r"weather|storm|snow|hurricane|typhoon|flood|météo|intempéries|unwetter", reason=R.weather
    ),
    rule(
        r"natural disaster|earthquake|wildfire|pandemic|force majeure|civil unrest|\bstrike\b",
        reason=R.force_majeure,
    ),
    rule(
        r"address(ing)? (error|problem|issue|incorrect|incomplete|insufficient|unknown|correction)|"
        r"(incorrect|wrong|bad|insufficient|incomplete|invalid|unknown) address|"
        r"addressee (unknown|moved)|recipient moved|customer moved|no such (address|number|street)|"
        r"adresse (incorrecte|incompl[eè]te|inconnue)",
        reason=R.address_problem,
    ),
    rule(
        r"outside (the )?(delivery|service) area|out of (the )?service area", reason=R.out_of_area
    ),
    rule(_NOT_HOME, reason=R.not_home),
    rule(
        r"business closed|closed on arrival|(office|business|premises|company) (was )?closed",
        reason=R.business_closed,
    ),
    rule(
        r"(no|restricted) access|(unable|could not) (to )?gain access|access (restricted|denied)",
        reason=R.access_restricted,
    ),
    rule(
        r"not ready|pick ?up attempt|attempted to pick ?up|pick ?up (failed|unsuccessful)",
        reason=R.not_ready,
    ),
    rule(
        r"(at|per) (the )?(shipper|sender)'?s? request|(recalled|intercepted) by (the )?"
        r"(shipper|sender)|shipment intercept",
        reason=R.recalled,
    ),
    rule(r"cancel|\bvoided\b|annul", reason=R.cancelled),
    rule(r"mis-?sort|mis-?rout|incorrectly sorted|sorting error", reason=R.missorted),
    rule(
        r"delay|running late|rescheduled|missed (connection|cut-?off)|retard|verzögerung",
        reason=R.delayed,
    ),
    rule(r"on hold|\bheld\b|holding|retained|retenu", reason=R.held),
)

# First matching status wins.
STATUSES: tuple[Rule, ...] = (
    rule(
        r"return(ed)?\b.{0,40}\bdelivered|delivered to (the )?(shipper|sender|consignor)|"
        r"return (received|completed)|distribué à l'expéditeur",
        S.returned,
    ),
    rule(
        r"return(ing|ed)? (\w+ )?to (the )?(shipper|sender|consignor|origin)|being returned|"
        r"will be returned|return in transit|retour(né)? (à|vers) l'expéditeur|rücksendung|"
        r"\brefus",
        S.returning,
    ),
    rule(
        r"(ready|available|held|awaiting|waiting) (for )?(recipient |customer )?"
        r"(pick ?up|collection)|"
        r"(delivered|dropped off|left|placed) (by (the )?driver )?(at|to|in|with) (a |the )?"
        r"(pick ?up|parcel ?shop|service point|access point|post office|locker|station|agent|"
        r"counter|retail)|hold at (\w+ )?location|left with agent|en attente d'être retiré|"
        r"abholbereit",
        S.ready_for_pickup,
    ),
    rule(
        r"deliver(y)? (attempt(ed)?|exception|failed|failure|unsuccessful|not possible)|"
        r"attempted delivery|delivery attempt|unable to deliver|(could|can) ?not (be )?deliver|"
        r"not (been )?able to deliver|not delivered|undeliverable|missed delivery|"
        r"unsuccessful delivery|non distribuable|nicht zugestellt|zustellung nicht möglich|"
        r"back at the (recipient )?depot|" + _NOT_HOME + r"|business closed|closed on arrival",
        S.delivery_failed,
    ),
    # A promise of delivery is not a delivery: today's is the round, a later one is transit.
    rule(
        r"\b(wird|werden)\b.{0,20}\bheute\b.{0,20}zugestellt|\bsera\b.{0,20}\blivr[ée].{0,10}"
        r"aujourd|\bser[aá]\b.{0,20}\bentreg(ad[oa]|ue)\b.{0,10}\b(hoy|hoje)\b",
        S.out_for_delivery,
    ),
    rule(
        r"\b(wird|werden)\b.{0,40}\bzugestellt|\bsera\b.{0,20}\blivr|"
        r"\bser[aá]\b.{0,20}\bentreg(ad[oa]|ue)\b",
        S.in_transit,
    ),
    rule(
        r"(?<!\bbe )\bdelivered\b|delivery successful|signed (for )?by|signed for|"
        r"proof of delivery|left (in|at) (a |the )?(safe place|front door|porch|mailbox)|"
        r"(picked up|collected) by (the )?(customer|recipient|consignee|addressee)|"
        r"\bdistribué|\blivré|zugestellt|doręczon|\bdistributed(?! (to|at|by|from|through))",
        S.delivered,
    ),
    rule(
        r"out for delivery|with (the )?delivery courier|vehicle for delivery|"
        r"on ?board for delivery|"
        r"loaded (on|onto) (the )?(delivery )?(vehicle|van|truck)|\bin delivery|"
        r"out for distribution|bound ?to ?round|delivery route|gone out on|"
        r"expected to be delivered (today|during the day)|will be delivered today|"
        r"(en cours de|mis en|mettre en) (livraison|distribution)|in zustellung|"
        r"on (its|the) way to the (consignee|recipient)|with courier",
        S.out_for_delivery,
    ),
    rule(
        r"\blost\b|\bmissing\b|damage|(cannot|could not) be located|exception|incident|problem|"
        r"on hold|\bheld\b|delay|running late|security|prohibited|cancel|\bvoided\b|"
        r"customs (hold|delay|inspection|exception)|clearance (delay|exception|hold)|"
        r"mis-?sort|mis-?rout|not ready|pick ?up attempt|attempted to pick ?up|weather|storm|"
        r"address(ing)? (error|problem|issue|correction)|"
        r"(incorrect|wrong|bad|insufficient|incomplete|invalid) address|retenu|verzögerung",
        S.exception,
    ),
    rule(
        r"information (received|sent|transmitted|approved|submitted)|"
        r"electronic(ally)? (information|notif|data|submitted)|label (created|printed|generated)|"
        r"pre-?advice|shipment data|data (was |were |has been )?(uploaded|"
        r"received|entered|transmitted)|not (yet )?(been )?handed over|"
        r"order (created|ready|received)|awaiting item|number allocated|inventory allocated|"
        r"notified to|manifest|billing information|shipment (created|processed|fulfilled)|"
        r"in preparation|being prepared|va bientôt nous être confié|en cours de préparation|"
        r"angekündigt",
        S.info_received,
    ),
    rule(
        r"picked up|pick-?up (scan|successful|complete)|\bcollected\b|"
        r"received (item )?from (the )?(sender|shipper|customer)|\baccepted\b|acceptance|"
        r"in possession|handed over|tendered|\bposted\b|dropped off|drop-?off|"
        r"received by (australia post|the carrier|carrier|usps)|origin scan|received at origin|"
        r"has received your parcel|déposé|pris en charge|eingeliefert|abgeholt",
        S.picked_up,
    ),
    rule(
        r"in transit|on the way|on its way|en ?route|depart|despatch|dispatched|\bleft\b|leaving|"
        r"outgoing|forwarded|transferred|crossing|onward|transit|transport|acheminement|"
        r"unterwegs|customs cleared|cleared (by )?customs|released by (the )?customs|"
        r"clearance (processing )?complete|cleared and awaiting|arrived in\b|arrival (from|in)\b|"
        r"flight|airport|uplift|releas|customs|clearance|douane|\bzoll|air carrier",
        S.in_transit,
    ),
    rule(
        r"arriv(ed|al) (at|in) .{0,40}(facility|hub|sort|depot|cent(er|re)|terminal|gateway|"
        r"warehouse|plant|processing|location)|arrival scan|processed (at|in|through)|\bsorted\b|"
        r"\bsorting\b|(parcel|distribution|sorting|processing|dispatch|logistics|delivery|mail|"
        r"exchange|export|import) (cent(er|re)|hub|facility)|\bat (the )?(\w+ ){0,2}(facility|"
        r"depot|hub)\b|incoming scan|\binbound\b|scanned at|grouped|reached the|plateforme|"
        r"paketzentrum|centre de tri",
        S.at_hub,
    ),
    rule(r"arriv|reached|received at|ankunft", S.in_transit),
)

RULES: tuple[Rule, ...] = REASONS + STATUSES
