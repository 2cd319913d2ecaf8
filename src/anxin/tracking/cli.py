"""``anxin tracking``: read a tracking payload and print its normalized events as JSON.

The lead's root group registers :data:`tracking_group`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from anxin.tracking.model import Kind, ParseResult, TrackingEvent
from anxin.tracking.normalize import normalize, summarize
from anxin.tracking.parsers import parse_file
from anxin.tracking.reading import load_zone


@click.group("tracking")
def tracking_group() -> None:
    """Parse and normalize carrier tracking data."""


def _carrier(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    """A carrier the registry or a parser knows (by name, alias or fixture folder name): an
    unknown one is refused rather than silently ignored as a hint."""
    if value is None:
        return None
    from anxin.tracking.carriers import DEFAULT, canonical, key
    from anxin.tracking.parsers import PARSED_CARRIERS

    if key(value) in DEFAULT or canonical(value) in PARSED_CARRIERS:
        return value
    known = ", ".join(sorted({v.name for v in DEFAULT.values()} | PARSED_CARRIERS))
    raise click.BadParameter(f"unknown carrier {value!r}; known carriers: {known}")


def _zone(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            load_zone(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    return value


@tracking_group.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--carrier",
    callback=_carrier,
    help="carrier or fixture folder name, e.g. dhl_express, sf "
    "[default: the file's folder if it names a carrier, else detected]",
)
@click.option(
    "--tz",
    callback=_zone,
    help="IANA zone of times written without an offset [default: the carrier's]",
)
def parse_command(file: Path, carrier: str | None, tz: str | None) -> None:
    """Print FILE's events and summary as JSON (anxin scan events, Kuaidi100 / KDNiao JSON, or
    a carrier's raw JSON / XML response). Its "kind" says whether tracking was found:
    ok, error, not_found or auth_error; the exit status is 0 only for ok (the JSON is printed
    either way, with the reasons under "errors")."""
    result = parse_file(file, carrier, tz)
    click.echo(json.dumps(render(result), ensure_ascii=False, indent=2))
    if result.kind is not Kind.ok:
        click.echo(f"Error: {result.kind}: {'; '.join(result.errors)}", err=True)
        sys.exit(1)


def render(result: ParseResult) -> dict[str, Any]:
    """The CLI's JSON: the first parcel's summary at the top level; when the payload holds
    several parcels, every parcel (the first included) is also listed under ``parcels``."""
    parcels = [_parcel(result, number) for number in result.tracking_numbers]
    head: dict[str, Any] = {
        "carrier": result.carrier,
        "kind": str(result.kind),
        "errors": list(result.errors),
    }
    if parcels:
        head.update(parcels[0])
    else:
        empty = result.kind is Kind.ok
        head.update(
            tracking_number=None,
            status="pending" if empty else None,
            reason=None,
            has_left=False,
            has_arrived=False,
            first_pickup_at=None,
            first_hub_at=None,
            last_event_at=None,
            events=[],
        )
    if len(parcels) > 1:
        head["parcels"] = parcels
    return head


def _parcel(result: ParseResult, number: str) -> dict[str, Any]:
    summary = summarize(normalize(s) for s in result.scans if s.tracking_number == number)
    return {
        "tracking_number": number,
        "status": str(summary.status),
        "reason": _str(summary.reason),
        "has_left": summary.has_left,
        "has_arrived": summary.has_arrived,
        "first_pickup_at": _iso(summary.first_pickup_at),
        "first_hub_at": _iso(summary.first_hub_at),
        "last_event_at": _iso(summary.last_event_at),
        "events": [_event(e) for e in summary.events],
    }


def _event(e: TrackingEvent) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(),
        "status": str(e.status),
        "reason": _str(e.reason),
        "fault": _str(e.fault),
        "location": e.location,
        "code": e.code,
        "text": e.text,
    }


def _str(value: object | None) -> str | None:
    return None if value is None else str(value)


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def _fixtures(_: click.Context, __: click.Parameter, value: Path | None) -> Path:
    from anxin.data import data_path, missing_data_message

    path = value if value is not None else data_path("carrier_tracking_fixtures")
    if not (path / "INDEX.csv").is_file():
        raise click.BadParameter(missing_data_message("carrier tracking fixtures", [path]))
    return path


_FIXTURES = click.option(
    "--fixtures",
    type=click.Path(file_okay=False, path_type=Path),
    callback=_fixtures,
    help="karrio fixture folder with INDEX.csv [default: carrier_tracking_fixtures in the "
    "shared data]",
)


@tracking_group.command("evaluate")
@_FIXTURES
@click.option(
    "--rules-only", is_flag=True, help="no text model: the text rules alone for every carrier"
)
def evaluate_command(fixtures: Path, rules_only: bool) -> None:
    """Leave-one-carrier-out: read each fixture carrier with the generic extractor and the text
    classifier only (its parser and code table removed, the text model retrained without its
    descriptions) and print ONE JSON line: status agreement with karrio per event, overall
    and per carrier, and error / not-found detection agreement per payload."""
    from anxin.tracking.evaluate import evaluate

    report = evaluate(fixtures, retrain=not rules_only, model=None)
    click.echo(json.dumps(report, ensure_ascii=False, separators=(",", ":")))


@tracking_group.command("train-text")
@_FIXTURES
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="where to write the model [default: the file shipped in the package]",
)
def train_text_command(fixtures: Path, out: Path | None) -> None:
    """Rebuild the scan-text model (char n-grams + logistic regression) from the descriptions
    anxin already maps: the fixtures' events labelled by their carriers' code tables, and the
    multilingual seed wordings. Needs scikit-learn (the dev or service extra)."""
    from anxin.tracking.texttrain import shipped_path, train, training_pairs

    pairs = training_pairs(fixtures)
    model = train(pairs)
    target = out or shipped_path()
    target.write_bytes(model.dumps())
    click.echo(
        json.dumps(
            {
                "written": str(target),
                "examples": len(pairs),
                "features": len(model.index),
                "classes": [str(c) for c in model.classes],
                "bytes": target.stat().st_size,
            }
        )
    )
