"""What a field *is*, judged from its name and value alone: the vocabulary the generic extractor
(:mod:`anxin.tracking.parsers.generic`) reads unknown payloads with. Pure data and predicates.

Names are compared folded (case-insensitive, separators and namespaces removed), so
``event-date``, ``EventDate`` and ``event_date`` are one name.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from anxin.tracking.reading import text, when


@lru_cache(maxsize=8192)
def fold(name: str) -> str:
    """``EventDate`` / ``event-date`` / ``event_date`` → ``eventdate``."""
    return re.sub(r"[^0-9a-z]", "", name.rsplit("}", 1)[-1].casefold())


def _words(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words))


# A key naming a whole time, a date or a clock time.
TIME_KEY = _words(
    "timestamp",
    "datetime",
    "date",
    "time",
    "when",
    "occur",
    "ftime",
    "created",
    "dt$",
    "^at$",
    "^ts$",
)
# Times that are not when the event happened (promises, windows, validity).
NOT_EVENT_TIME = _words(
    "estimat",
    "expect",
    "schedul",
    "promis",
    "commit",
    "deadline",
    "window",
    "expir",
    "valid",
    "zone",
    "offset",
    "print",
    "message",
    "response",
    "request",
    "header",
    "generated",
    "server",
)
# Wrapper names that say nothing of what they wrap (``<date><content>…``): a field is named by
# its nearest meaningful key.
GENERIC_LEAF = frozenset({"content", "value", "text", "#text", "val", "v"})
CLOCK_ONLY = _words("time$", "hour")
DATE_ONLY = _words("date$", "day$")

# The service booked (``ServiceType``), not a service event (``ServiceEvent``).
_SERVICE = r"^service$|service(area|name|type|level|code|description|desc)"

# Free text describing the event, best first.
DESCRIPTION_KEYS: tuple[re.Pattern[str], ...] = (
    _words("description$", "descr$", "desc$", "eventdescription", "statusdescription"),
    _words("context$", "eventlabel", "eventtext", "statustext", "acceptstation", "activity$"),
    _words("text$", "message$", "msg$", "label$", "remark", "comment$", "content$", "summary$"),
    _words("^event$", "eventname", "^status$", "statusname", "^state$", "^action$", "^name$"),
)
# Keys whose text describes something else (places, services, people, reasons).
NOT_DESCRIPTION = _words(
    "location",
    "area",
    "city",
    "address",
    "facility",
    "depot",
    "country",
    "office",
    "site",
    "terminal",
    "place",
    "zip",
    "postal",
    "province",
    _SERVICE,
    "product",
    "signat",
    "person",
    "recipient",
    "consignee",
    "shipper",
    "sender",
    "receiver",
    "exception",
    "reason",
    "weight",
    "packag",
    "customer",
    "courier",
    "driver",
    "contact",
    "phone",
)
CODE_KEYS: tuple[re.Pattern[str], ...] = (
    _words("eventcode", "statuscode", "eventtype", "scantype", "eventidentifier", "stdcode"),
    _words("^code$", "^type$", "^status$", "^ice$", "^action$", "^state$", "code$"),
)
NOT_CODE = _words(
    "country",
    "zip",
    "postal",
    "area",
    "location",
    "product",
    "currency",
    "language",
    "locale",
    "unit",
    "reason",
    "exception",
    "error",
    "depot",
    "office",
    "facility",
    "signat",
    _SERVICE,
    "package",
    "piece",
    "tracking",
)
LOCATION_KEYS = _words(
    "location",
    "city",
    "place",
    "site",
    "address",
    "facility",
    "depot",
    "office",
    "terminal",
    "servicearea",
    "areaname",
    "station",
    "hub",
)
# A parcel's own identifier: what groups a batch answer's events by parcel.
NUMBER_KEYS = _words(
    "trackingnumber",
    "trackingno",
    "trackingid",
    "trackingcode",
    "trackid",
    "trackno",
    "^nu$",
    "awbnumber",
    "^awb$",
    "waybill",
    "barcode",
    "parcelnumber",
    "parcelno",
    "^pin$",
    "mailpieceid",
    "itemcode",
    "itemid",
    "consignment",
    "logisticcode",
    "mailno",
    "skybillnumber",
    "shipmentid",
    "shipmentnumber",
    "piececode",
    "parcellabelnumber",
    "articleid",
    "^id$",
)
# Containers of a parcel's history: a single record under such a key is still an event list.
EVENT_CONTAINER = _words(
    "event",
    "scan",
    "activit",
    "trace",
    "checkpoint",
    "histor",
    "occurrence",
    "movement",
    "trackdetail",
    "progress",
    "^steps?$",
    "statusinfo",
    "^data$",
    "^item$",
    "tracks?$",
)

# Error markers.
ERROR_KEY = _words(
    "^errors?$",
    "^fault$",
    "faultstring",
    "errormessage",
    "errordescription",
    "^exception$",
    "errors?$",
)
# Containers of notices: errors when a payload has no events, never events themselves.
NOTICE_KEY = _words(
    "^messages?$",
    "^notifications?$",
    "^alerts?$",
    "^warnings?$",
    "^conditions?$",
    "^faults?$",
    "^errors?$",
    "^problems?$",
    "^exceptions?$",
)
MESSAGE_KEY = _words(
    "message",
    "description",
    "detail",
    "text",
    "title",
    "reason",
    "faultstring",
    "msg",
    "data$",
)
STATUS_NUMBER_KEY = _words(
    "^status$", "statuscode", "httpcode", "httpstatus", "^code$", "returncode", "responsecode"
)
FLAG_KEY = _words("^success$", "^result$", "^ok$", "^succeeded$", "^successful$")
SEVERITY_KEY = _words("severity$", "^level$")
BAD_SEVERITY = frozenset({"error", "failure", "fatal"})
# Words in a message that mark an error even without an error key ("message": "not found").
ERROR_WORDS = re.compile(
    r"not ?found|no (data|result|record|information|tracking|shipment)|invalid|unauthori[sz]ed|"
    r"forbidden|denied|does not exist|could not (be )?(found|locate)|cannot be found|"
    r"unable to (process|locate|find)|incorrect|查询无结果|单号不存在|暂无|错误|失败",
    re.IGNORECASE,
)

_DATE_ALONE = re.compile(r"\d{4}-?\d{2}-?\d{2}([+-]\d{2}:?\d{2}|Z)?")
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d.%m.%Y",
    "%m/%d/%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%m-%Y",
)
_CLOCK_FORMATS = (
    "%H:%M:%S",
    "%H:%M",
    "%I:%M %p",
    "%I:%M:%S %p",
    "%I:%M%p",
    "%H%M%S",
    "%H%M",
    "%H:%M:%S.%f",
)
_MORE_FORMATS = (
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%B %d, %Y, %I:%M %p",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
)


def read_date(value: str) -> dt.date | None:
    raw = text(value)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def read_clock(value: str) -> dt.time | None:
    raw = text(value).upper()
    for fmt in _CLOCK_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).time()  # noqa: DTZ007 - a clock time
        except ValueError:
            continue
    return None


def read_time(value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    """A full point in time: what :func:`~anxin.tracking.reading.when` reads, epoch
    milliseconds, and the long forms (``June 1, 2020 8:10 am``). A bare date is not a time.
    Offset-less times are read in ``zone``."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 1e11:
        value = value / 1000  # epoch milliseconds
    at = when(value, zone)
    if at is not None:
        raw = text(value)
        # fromisoformat reads "2020-01-02" as midnight: a date alone says nothing of the hour.
        if isinstance(value, str) and _DATE_ALONE.fullmatch(raw):
            return None
        return at
    raw = text(value)
    for fmt in _MORE_FORMATS:
        try:
            parsed = dt.datetime.strptime(raw.upper() if "%p" in fmt else raw, fmt)  # noqa: DTZ007
        except ValueError:
            continue
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    return None


def is_code(value: str) -> bool:
    """A short token (``DL``, ``OC``, ``in_transit``, ``3500``), not a sentence."""
    return 0 < len(value) <= 32 and " " not in value.strip()
