"""Business calendar: deadline arithmetic in a marketplace's local time.

Pure machinery: which days are holidays, when promotions run and what the working
hours are all come from policy packs. Every instant must be timezone-aware; all
arithmetic is done in UTC (Python's same-tzinfo datetime arithmetic ignores DST
offsets) and results are returned in the calendar's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["BusinessCalendar", "Period", "TimeWindow", "require_aware"]

#: How far add_working_* will look ahead before deciding the calendar is unusable.
MAX_SCAN_DAYS = 3660
_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def require_aware(t: datetime, what: str = "datetime") -> datetime:
    """Return ``t`` unchanged if it is an aware datetime, else raise ValueError."""
    if not isinstance(t, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {t.isoformat()}")
    return t


def _utc(t: datetime, what: str = "datetime") -> datetime:
    return require_aware(t, what).astimezone(UTC)


def _naive_time(t: time, what: str) -> time:
    if not isinstance(t, time):
        raise TypeError(f"{what} must be a time, got {type(t).__name__}")
    if t.tzinfo is not None:
        raise ValueError(f"{what} must be a local (naive) time of day, got {t.isoformat()}")
    return t


def _parse_time(value: str | time, what: str) -> time:
    if isinstance(value, time):
        return _naive_time(value, what)
    if value.strip() == "24:00":  # end of day; a window may end at midnight
        return time(0)
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{what}: invalid time of day {value!r}") from None


def _parse_date(value: date | str) -> date:
    if isinstance(value, datetime):
        raise TypeError(f"expected a date, got datetime {value.isoformat()}")
    return value if isinstance(value, date) else date.fromisoformat(value.strip())


def _parse_weekdays(spec: str | Iterable[int]) -> frozenset[int]:
    """ "Mon-Fri", "Mon-Sat,Sun", "Fri-Mon" (wraps) or an iterable of ints 0..6."""
    if not isinstance(spec, str):
        days = frozenset(spec)
        if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days):
            raise ValueError(f"weekdays must be ints 0 (Mon) .. 6 (Sun), got {sorted(days)}")
        return days

    def index(name: str) -> int:
        key = name.strip().lower()[:3]
        if key not in _WEEKDAYS:
            raise ValueError(f"unknown weekday {name!r} in {spec!r}")
        return _WEEKDAYS.index(key)

    result: set[int] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        first, _, last = part.partition("-")
        lo = index(first)
        hi = index(last) if last else lo
        result.update((lo + i) % 7 for i in range((hi - lo) % 7 + 1))
    return frozenset(result)


@dataclass(frozen=True, slots=True)
class Period:
    """Half-open interval [start, end) of absolute time, e.g. a promotion."""

    start: datetime
    end: datetime
    name: str = ""

    def __post_init__(self) -> None:
        if _utc(self.start, "Period.start") >= _utc(self.end, "Period.end"):
            raise ValueError(f"Period {self.name!r}: start must be before end")

    def contains(self, t: datetime) -> bool:
        u = _utc(t)
        return _utc(self.start) <= u < _utc(self.end)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """Daily local window [start, end); wraps midnight when end <= start (18:00-06:00)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        _naive_time(self.start, "TimeWindow.start")
        _naive_time(self.end, "TimeWindow.end")

    @property
    def wraps(self) -> bool:
        return self.end <= self.start

    def contains(self, t: time) -> bool:
        _naive_time(t, "time")
        if self.wraps:
            return t >= self.start or t < self.end
        return self.start <= t < self.end

    def _bounds(self) -> tuple[timedelta, timedelta]:
        """Offsets from local midnight; an end of 00:00 means the following midnight."""
        start, end = _offset(self.start), _offset(self.end)
        return start, end if end else _DAY


WeekHours = tuple[tuple[TimeWindow, ...], ...]


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours, holidays, make-up days, promotions and exemptions of one market.

    ``extra_working_days`` (e.g. China's 调休 Saturdays) use the Monday hours, or the
    first weekday that has hours if Monday has none.
    """

    timezone: str
    working_hours: WeekHours
    holidays: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    promotions: tuple[Period, ...] = ()
    exemption_periods: tuple[Period, ...] = ()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"unknown IANA timezone {self.timezone!r}") from None
        object.__setattr__(self, "_zone", zone)
        week = tuple(tuple(day) for day in self.working_hours)
        if len(week) != 7:
            raise ValueError(f"working_hours needs 7 weekdays (Mon..Sun), got {len(week)}")
        for weekday, windows in enumerate(week):
            spans = sorted(_check_window(w, weekday)._bounds() for w in windows)
            for (_, prev_end), (next_start, _) in pairwise(spans):
                if next_start < prev_end:
                    raise ValueError(f"overlapping working windows on {_WEEKDAYS[weekday]}")
        object.__setattr__(self, "working_hours", week)
        for name in ("holidays", "extra_working_days"):
            days = frozenset(_parse_date(d) for d in getattr(self, name))
            object.__setattr__(self, name, days)
        if clash := self.holidays & self.extra_working_days:
            raise ValueError(f"dates both holiday and extra working day: {sorted(clash)}")
        for name in ("promotions", "exemption_periods"):
            periods = tuple(getattr(self, name))
            if not all(isinstance(p, Period) for p in periods):
                raise TypeError(f"{name} must contain Period objects")
            object.__setattr__(self, name, periods)

    @classmethod
    def simple(
        cls,
        timezone: str,
        *,
        workdays: str | Iterable[int] = "Mon-Fri",
        hours: tuple[str | time, str | time] = ("09:00", "18:00"),
        holidays: Iterable[date | str] = (),
        extra_working_days: Iterable[date | str] = (),
        promotions: Iterable[Period] = (),
        exemption_periods: Iterable[Period] = (),
    ) -> BusinessCalendar:
        """One window of ``hours`` on every day in ``workdays``; "24:00" ends at midnight."""
        days = _parse_weekdays(workdays)
        window = TimeWindow(_parse_time(hours[0], "hours"), _parse_time(hours[1], "hours"))
        return cls(
            timezone=timezone,
            working_hours=tuple((window,) if d in days else () for d in range(7)),
            holidays=frozenset(_parse_date(d) for d in holidays),
            extra_working_days=frozenset(_parse_date(d) for d in extra_working_days),
            promotions=tuple(promotions),
            exemption_periods=tuple(exemption_periods),
        )

    # -- basics -------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def local(self, t: datetime) -> datetime:
        """``t`` converted to the calendar's zone (ValueError if naive)."""
        return require_aware(t).astimezone(self._zone)

    def _at(self, d: date, tod: time, fold: int = 0) -> datetime:
        """Local ``d`` at ``tod``, normalised through UTC so DST-gap times become real."""
        return (
            datetime.combine(d, tod, self._zone)
            .replace(fold=fold)
            .astimezone(UTC)
            .astimezone(self._zone)
        )

    def _hours_for(self, d: date) -> tuple[TimeWindow, ...]:
        if d in self.holidays:
            return ()
        if d in self.extra_working_days:
            return next((w for w in self.working_hours if w), ())
        return self.working_hours[d.weekday()]

    def _intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """Working intervals of local day ``d`` as sorted UTC [start, end) pairs."""
        midnight = datetime.combine(d, time(0))
        out = []
        for window in self._hours_for(d):
            lo, hi = window._bounds()
            start = (midnight + lo).replace(tzinfo=self._zone).astimezone(UTC)
            end = (midnight + hi).replace(tzinfo=self._zone).astimezone(UTC)
            if start < end:  # a window swallowed by a DST gap contributes nothing
                out.append((start, end))
        return sorted(out)

    def _require_some_working_time(self) -> None:
        if not any(self.working_hours):
            raise ValueError("calendar has no working hours on any weekday")

    # -- queries ------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):
            raise TypeError("is_working_day takes a date; use is_working_time for instants")
        return bool(self._hours_for(d))

    def is_working_time(self, t: datetime) -> bool:
        u = _utc(t)
        return any(s <= u < e for s, e in self._intervals(self.local(t).date()))

    def promotion_at(self, t: datetime) -> Period | None:
        require_aware(t)
        return next((p for p in self.promotions if p.contains(t)), None)

    def exemption_at(self, t: datetime) -> Period | None:
        require_aware(t)
        return next((p for p in self.exemption_periods if p.contains(t)), None)

    # -- deadlines ----------------------------------------------------------------

    def end_of_day(self, t: datetime, days_after: int = 0) -> datetime:
        """23:59:59 local on the local date of ``t`` plus ``days_after`` days.

        Deadlines are INCLUSIVE: an event is on time iff ``event <= deadline``, so an
        event at exactly 23:59:59 is on time and one at 00:00:00 the next day (or any
        sub-second past 23:59:59) is late. "By 23:59:59 the day after payment" is
        ``end_of_day(paid_at, 1)``.
        """
        if isinstance(days_after, bool) or not isinstance(days_after, int):
            raise TypeError(f"days_after must be an int, got {days_after!r}")
        return self._at(self.local(t).date() + timedelta(days=days_after), time(23, 59, 59))

    def add_hours(self, t: datetime, hours: int | float | timedelta) -> datetime:
        """``t`` plus elapsed (absolute) time; across DST a 24 h wait may end at 23:00."""
        return (_utc(t) + _duration(hours)).astimezone(self._zone)

    def add_working_hours(self, t: datetime, hours: int | float | timedelta) -> datetime:
        """Instant at which ``hours`` of working time have elapsed after ``t``.

        Counting starts at ``t`` if it is working time, else at the next window start.
        Completing exactly at a window end returns that end (e.g. Fri 18:00), not the
        next window's start. Zero hours returns ``t`` unchanged.
        """
        remaining = _duration(hours)
        if remaining < timedelta(0):
            raise ValueError(f"working hours must be >= 0, got {hours!r}")
        self._require_some_working_time()
        current = _utc(t)
        if not remaining:
            return current.astimezone(self._zone)
        day = self.local(t).date()
        for offset in range(MAX_SCAN_DAYS + 1):
            for start, end in self._intervals(day + timedelta(days=offset)):
                if end <= current:
                    continue
                begin = max(start, current)
                if remaining <= end - begin:
                    return (begin + remaining).astimezone(self._zone)
                remaining -= end - begin
        raise ValueError(f"not enough working time within {MAX_SCAN_DAYS} days of {t}")

    def add_working_days(self, t: datetime, days: int) -> datetime:
        """Same local time of day, ``days`` working days after the local date of ``t``."""
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValueError(f"days must be a non-negative int, got {days!r}")
        local = self.local(t)
        if days == 0:
            return local
        self._require_some_working_time()
        d = local.date()
        for _ in range(MAX_SCAN_DAYS):
            d += _DAY
            if self.is_working_day(d):
                days -= 1
                if days == 0:
                    return self._at(d, local.time(), local.fold)
        raise ValueError(f"not enough working days within {MAX_SCAN_DAYS} days of {t}")

    def shift_start(self, t: datetime, window: TimeWindow, resume_at: time) -> datetime:
        """Postpone a clock start that falls inside ``window`` to the next ``resume_at``.

        With window 18:00-06:00 and resume 06:00: Mon 20:00 -> Tue 06:00, Tue 03:00 ->
        Tue 06:00, Mon 17:59:59 -> unchanged (the window is half-open at its end).
        """
        _naive_time(resume_at, "resume_at")
        local = self.local(t)
        if not window.contains(local.time()):
            return local
        candidate = self._at(local.date(), resume_at)
        if _utc(candidate) < _utc(local):  # compare instants, not wall times
            candidate = self._at(local.date() + _DAY, resume_at)
        return candidate

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        """Whole seconds of working time in [a, b); 0 when b <= a."""
        lo, hi = _utc(a), _utc(b)
        if hi <= lo:
            return 0
        total = timedelta(0)
        day, last = self.local(a).date(), self.local(b).date()
        while day <= last:
            for start, end in self._intervals(day):
                overlap = min(end, hi) - max(start, lo)
                if overlap > timedelta(0):
                    total += overlap
            day += _DAY
        return total // _SECOND


def _check_window(w: object, weekday: int) -> TimeWindow:
    if not isinstance(w, TimeWindow):
        raise TypeError(f"working_hours[{weekday}] must contain TimeWindow objects")
    if w.wraps and w.end != time(0):
        raise ValueError(f"working window {w.start}-{w.end} on {_WEEKDAYS[weekday]} wraps midnight")
    return w


def _offset(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _duration(value: int | float | timedelta) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"hours must be int, float or timedelta, got {value!r}")
    return timedelta(hours=value)
