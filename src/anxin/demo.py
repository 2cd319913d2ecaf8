"""``anxin demo``: the main job end to end on the embedded default, with a readable report.

The demo simulates a seeded marketplace (``anxin.sim``, demo preset: 300 merchants, 30 days,
~100k orders) plus a few deliberately broken lines (to show the dead-letter store), ingests the
stream through the same path as ``anxin ingest``, fires the deadlines that fell due, and prints
what the store now holds. Everything it writes goes into one folder (``var/demo`` by default:
the SQLite store, the events and the ground truth), and it ends with the commands to run next on
that store, naming a real order and merchant of it. Report sections are registered functions,
so later capabilities add theirs with ``@section``.
"""

from __future__ import annotations

import datetime as dt
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TimeElapsedColumn,
)
from rich.table import Table

from anxin.aftersales.rights import RIGHTS_RULES
from anxin.application import build_engine, load_policy, open_store
from anxin.clock import FixedClock, from_us
from anxin.domain.kpis import platform_kpis
from anxin.domain.order import decode_state
from anxin.enforcement.evaluate import evaluate as evaluate_violations
from anxin.enforcement.governance import EnforcementGovernance
from anxin.enforcement.rectified import rectified
from anxin.enforcement.report import (
    enforcement_report,
    rectified_report,
    render_violations_evaluation,
)
from anxin.enforcement.run import run as enforce
from anxin.engine.files import ingest_file
from anxin.score.report import score_report
from anxin.screening.feedback_run import run as feedback_run
from anxin.screening.report import planted, screened, screening_report
from anxin.screening.run import run as screen_run
from anxin.service.conversations import ServiceMetrics
from anxin.service.outreach import Outreach
from anxin.service.proactive_eval import compare, helps_of, service_metrics, stored_contacts, world
from anxin.service.proactive_run import run as proactive_run
from anxin.service.report import service_report
from anxin.service.run import run as serve_customers
from anxin.sim.evaluate import evaluate
from anxin.sim.evaluate import render as render_evaluation
from anxin.sim.params import preset
from anxin.sim.run import simulate
from anxin.store.sql import SqlStore

Section = Callable[[sa.Connection], RenderableType]
SECTIONS: list[tuple[str, Section]] = []


def section(title: str) -> Callable[[Section], Section]:
    def register(fn: Section) -> Section:
        SECTIONS.append((title, fn))
        return fn

    return register


BROKEN_LINES = [
    b'{"id": "bad-1", "type": "order.paid", "occurred_at": "2026-10-02T10:00:00+08:00"',
    b'{"id": "bad-2", "type": "order.refunded", "occurred_at": "2026-10-02T10:00:00+08:00",'
    b' "source": "demo", "payload": {}}',
    b'{"id": "bad-3", "type": "order.paid", "occurred_at": "2026-10-02T10:00:00",'
    b' "source": "demo", "payload": {"order_id": "O1", "amount_paid": {"amount": 100,'
    b' "currency": "CNY"}}}',
    b'{"id": "bad-4", "type": "order.paid", "occurred_at": "2026-10-02T10:00:00+08:00",'
    b' "source": "demo", "payload": {"order_id": "O1", "amount_paid": {"amount": 12.5,'
    b' "currency": "CNY"}}}',
]


def _table(title: str, columns: list[str], rows: Sequence[Sequence[object]]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, col in enumerate(columns):
        table.add_column(col, justify="right" if i else "left")
    for row in rows:
        table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row))
    return table


def _yuan(fen: int | None) -> str:
    return f"¥{(fen or 0) / 100:,.2f}"


@section("Platform KPIs")
def _kpis(conn: sa.Connection) -> RenderableType:
    states = (
        decode_state(raw) for (raw,) in conn.execute(sa.text("SELECT state FROM order_state"))
    )
    config = load_policy(preset("demo").pack).latest.rules["platform_kpis"]  # the demo's pack
    kpis = platform_kpis(states, config).summary()
    late = conn.execute(
        sa.text(
            "SELECT count(DISTINCT aggregate_key) FROM decisions WHERE rule_id = 'late_shipment'"
        )
    ).scalar_one()
    paid = conn.execute(
        sa.text(
            "SELECT coalesce(sum(e.amount), 0) FROM ledger_entries e JOIN ledger_transactions t"
            " ON t.txn_key = e.txn_key WHERE e.amount > 0 AND t.reason <> 'merchant.deposit'"
            " AND t.txn_key NOT LIKE 'refund:%'"  # after-sales refunds are not compensation
        )
    ).scalar_one()
    rows: list[tuple[object, ...]] = [(name, value) for name, value in kpis.items()]
    rows.append(
        ("late_shipment_share", round(late / kpis["paid_orders"], 4) if kpis["paid_orders"] else 0)
    )
    rows.append(("compensation_paid", _yuan(int(paid))))
    return _table("Platform KPIs", ["kpi", "value"], rows)


@section("Events")
def _events(conn: sa.Connection) -> RenderableType:
    rows = conn.execute(sa.text("SELECT type, count(*) FROM events GROUP BY type ORDER BY 2 DESC"))
    return _table("Events in the log", ["type", "events"], [tuple(r) for r in rows])


@section("Orders")
def _orders(conn: sa.Connection) -> RenderableType:
    rows = conn.execute(
        sa.text("SELECT status, count(*) FROM order_state GROUP BY status ORDER BY 2 DESC")
    )
    return _table("Orders by status", ["status", "orders"], [tuple(r) for r in rows])


@section("Decisions")
def _decisions(conn: sa.Connection) -> RenderableType:
    rows = conn.execute(
        sa.text(
            "SELECT rule_id, kind, pack || ' ' || pack_version, count(*) FROM decisions "
            "GROUP BY rule_id, kind, pack, pack_version ORDER BY 1, 2, 3"
        )
    )
    return _table("Decisions", ["rule", "kind", "policy", "count"], [tuple(r) for r in rows])


@section("Payouts")
def _payouts(conn: sa.Connection) -> RenderableType:
    rows = conn.execute(
        sa.text(
            "SELECT t.reason, count(*), sum(e.amount) FROM ledger_transactions t "
            "JOIN ledger_entries e ON e.txn_key = t.txn_key AND e.amount > 0 "
            "WHERE t.reason <> 'merchant.deposit' AND t.txn_key NOT LIKE 'refund:%' "
            "GROUP BY t.reason ORDER BY 1"
        )
    )
    data = [(reason, n, _yuan(total)) for reason, n, total in rows]
    balance = conn.execute(sa.text("SELECT coalesce(sum(amount), 0) FROM ledger_entries")).scalar()
    table = _table("Payouts to consumers, by reason", ["reason", "payouts", "amount"], data)
    table.caption = f"ledger balances sum to {balance} (double entry: always 0)"
    return table


RIGHT_STATUSES = ("pending", "in_force", "kept", "expired", "breached")


@section("After-sales rights")
def _rights(conn: sa.Connection) -> RenderableType:
    """Each after-sales right over every order, as the hall would show it at the demo's clock
    (the end of the stream, plus a day), and the money the ledger paid for it."""
    last = conn.execute(sa.text("SELECT max(occurred_at_us) FROM events")).scalar()
    book = load_policy(preset("demo").pack)
    now = from_us(int(last or 0)) + dt.timedelta(days=1)
    counts: dict[str, dict[str, int]] = {r.rule_id: dict.fromkeys(RIGHT_STATUSES, 0)
                                         for r in RIGHTS_RULES}  # fmt: skip
    for (raw,) in conn.execute(sa.text("SELECT state FROM order_state")):
        state = decode_state(raw)
        for rule in RIGHTS_RULES:
            for right in rule.rights(state, book, now):
                row = counts[right.rule_id]
                row[right.status] = row.get(right.status, 0) + 1
    paid = {
        reason: (int(n), int(total or 0))
        for reason, n, total in conn.execute(
            sa.text(
                "SELECT t.reason, count(*), sum(e.amount) FROM ledger_transactions t "
                "JOIN ledger_entries e ON e.txn_key = t.txn_key AND e.amount > 0 "
                "GROUP BY t.reason"
            )
        )
    }
    rows = [
        (rule_id, *(row[s] for s in RIGHT_STATUSES), paid.get(rule_id, (0, 0))[0],
         _yuan(paid.get(rule_id, (0, 0))[1]))
        for rule_id, row in counts.items()
    ]  # fmt: skip
    return _table(
        f"After-sales rights as of {now.isoformat()} (orders by status; paid from the ledger)",
        ["right", *RIGHT_STATUSES, "paid", "amount"],
        rows,
    )


@section("Refunds")
def _refunds(conn: sa.Connection) -> RenderableType:
    """After-sales refunds: granted (owed to the consumer) is not paid (reported done)."""
    rows = conn.execute(
        sa.text(
            "SELECT t.reason, count(*), sum(e.amount) FROM ledger_transactions t "
            "JOIN ledger_entries e ON e.txn_key = t.txn_key AND e.amount > 0 "
            "WHERE t.txn_key LIKE 'refund:%' GROUP BY t.reason ORDER BY 1"
        )
    )
    data = [(reason, n, _yuan(total)) for reason, n, total in rows]
    owed = conn.execute(
        sa.text(
            "SELECT coalesce(sum(amount), 0) FROM ledger_entries "
            "WHERE account LIKE 'refunds_payable:%'"
        )
    ).scalar_one()
    table = _table("After-sales refunds, granted and paid", ["step", "cases", "amount"], data)
    table.caption = f"granted, not yet reported paid: {_yuan(int(owed))}"
    return table


@section("Outbox")
def _outbox(conn: sa.Connection) -> RenderableType:
    rows = conn.execute(sa.text("SELECT topic, count(*) FROM outbox GROUP BY topic ORDER BY 1"))
    return _table(
        "Outbox (for the marketplace to act on)", ["topic", "messages"], list(map(tuple, rows))
    )


@section("Dead letters")
def _dead(conn: sa.Connection) -> RenderableType:
    rows = conn.execute(
        sa.text("SELECT code, path, count(*) FROM dead_letters GROUP BY code, path ORDER BY 1")
    )
    return _table(
        "Dead letters (refused input)", ["code", "path", "count"], [tuple(r) for r in rows]
    )


STORE = "anxin-demo.db"
EVENTS = "events.jsonl"
TRUTH = "truth.jsonl"


@dataclass(frozen=True)
class DemoResult:
    """Where the demo left its files, its clock, and a real order and merchant to look at."""

    directory: Path
    now: dt.datetime  # the ingest clock: deadlines up to it have fired
    score_day: dt.date  # the day the merchants were scored
    order_id: str | None  # an order the rules paid a consumer for (late shipment if any)
    merchant_id: str | None  # that order's merchant
    # Secrets to open the pages with (issue 17): made in the demo's own store, printed once.
    operator_key: str | None = None
    merchant_key: str | None = None  # of ``merchant_id``
    link_token: str | None = None  # opens ``order_id``'s guarantee hall

    @property
    def db(self) -> Path:
        return self.directory / STORE


def run_demo(
    directory: Path,
    *,
    scale: str = "demo",
    seed: int = 1,
    console: Console,
    workers: int = 2,
    governance: bool = True,
    service_tools: bool = True,
) -> DemoResult:
    """Simulate a marketplace, run it through the engine, print the report. ``governance``:
    the simulated merchants obey the measures and plans of anxin's enforcement rules.
    ``service_tools``: agents have anxin's suggested replies and anxin reaches consumers before
    they ask (the simulated consumers react); the report compares the same seeded world
    without them."""
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / STORE
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    events_path = directory / EVENTS
    truth_path = directory / TRUTH
    params = preset(scale, seed=seed, reply_tools=service_tools)
    book = load_policy(params.pack)
    outreach = Outreach(book) if service_tools else None
    console.print(
        f"[bold]anxin demo[/bold] · simulating {params.merchants} merchants, "
        f"{params.days} days from {params.start.date()} (seed {seed}) → {db_path} (SQLite)"
    )
    started = time.perf_counter()
    with _progress(console) as progress:
        task = progress.add_task("simulate", total=max(1, round(params.expected_orders())))
        with events_path.open("wb") as events_out, truth_path.open("wb") as truth_out:
            summary = simulate(
                params,
                events_out,
                truth_out,
                governance=EnforcementGovernance(params.pack) if governance else None,
                progress=lambda n: progress.advance(task, n),
                workers=min(workers, params.shards),
                outreach=outreach,
            )
            events_out.write(b"\n".join(BROKEN_LINES) + b"\n")  # to show the dead-letter store
    console.print(
        f"simulated {summary.orders:,} orders, {summary.events:,} events in "
        f"{time.perf_counter() - started:.1f} s (ground truth: {truth_path})"
    )
    assert summary.last_event_at is not None
    # The simulator writes each order's whole life at once; replay with the clock at its end.
    now = summary.last_event_at + dt.timedelta(days=1)
    sql = open_store(str(db_path))
    engine = build_engine(SqlStore(sql), book, FixedClock(now))
    started = time.perf_counter()
    with _progress(console, bytes_=True) as progress:
        task = progress.add_task("ingest", total=events_path.stat().st_size)
        report = ingest_file(
            engine, events_path, batch_size=20_000, progress=lambda n: progress.advance(task, n)
        )
    ingest_s = time.perf_counter() - started
    fired = engine.tick(now)
    console.print(
        f"ingested {report.accepted:,} events in {ingest_s:.1f} s "
        f"({report.received / ingest_s:,.0f}/s) · rejected {report.rejected} · "
        f"deadlines fired {fired.fired:,} at {now.isoformat()}"
    )
    with sql.connect() as conn:
        for _title, section_renderer in SECTIONS:
            console.print(section_renderer(conn))
    # What the rules found, scored against the simulator's ground truth.
    console.print(render_evaluation(evaluate(sql, truth_path)))
    # Merchants' experience scores the morning after the simulated month (facts known then
    # only: later deliveries, reviews and after-sales do not count), and their privileges.
    scored_at = params.start + dt.timedelta(days=params.days)
    # The three weeks before too (history only), so each shop's score has a trend.
    weeks = [dt.timedelta(days=7 * n) for n in (1, 2, 3)]
    console.print(score_report(sql, book, scored_at, earlier=weeks))
    # Enforcement as a daily run would have left it by then: violations, measures, plans.
    enforced = enforce(sql, book, now)
    console.print(enforcement_report(sql))
    console.print(
        f"enforcement run as of {now.isoformat()}: {enforced.violations} violations, "
        f"{enforced.measures} measures, {enforced.plans_opened} rectification plans "
        f"(days judged through {enforced.through})"
    )
    console.print(render_violations_evaluation(evaluate_violations(sql, truth_path)))
    console.print(rectified_report(rectified(sql, book), governance=governance))
    served = serve_customers(sql, book, now)
    reached = proactive_run(sql, book, now)
    console.print(
        f"service run as of {now.isoformat()}: {served.conversations:,} conversations, "
        f"{served.missed:,} missed reply SLAs sent as tasks; pre-identification sent "
        f"{reached.contacts:,} proactive messages (service.proactive)"
    )
    if service_tools:
        started = time.perf_counter()
        gov = EnforcementGovernance(params.pack) if governance else None
        without = world(replace(params, reply_tools=False), governance=gov)
        with truth_path.open("rb") as f:
            helps = helps_of(line for line in f if b'"kind":"help"' in line)
        figures = compare(without.helps, helps, stored_contacts(sql), summary.orders)
        mine = ServiceMetrics()
        for m in served.metrics.values():
            mine.add(m)
        console.print(service_report(service_metrics(without, book, now), mine, figures))
        console.print(
            f"(the world without the tools simulated again in {time.perf_counter() - started:.1f}"
            " s; help requests are the simulator's truth, contacts what anxin sent)"
        )
    # Listings: the catalogue screened by the pack's rules; the month's post-sale feedback
    # judged a settled week after it (returns and reviews arrive late).
    settled = scored_at + dt.timedelta(days=7)
    console.print(screening_report(screened(sql, book, scored_at), planted(truth_path),
                                   feedback_run(sql, book, settled)))  # fmt: skip
    sent = screen_run(sql, book, scored_at)
    console.print(
        f"screening run as of {scored_at.isoformat()}: {sent.intercepted} intercepted and "
        f"{sent.needs_changes} needing changes sent as listing.verdict; {sent.queued} queued "
        "for review"
    )
    with sql.connect() as conn:
        order_id, merchant_id = _paid_order(conn)
    keys = _page_keys(sql, FixedClock(now), order_id, merchant_id)
    sql.dispose()
    day = book.latest.calendar.local(scored_at).date()
    return DemoResult(directory, now, day, order_id, merchant_id, *keys)


def _page_keys(sql: sa.Engine, clock: FixedClock, order_id: str | None,
               merchant_id: str | None) -> tuple[str, str | None, str | None]:  # fmt: skip
    """An operator key, the paid order's merchant's key and that order's link token."""
    from anxin.api.keys import create_key, create_link

    operator = create_key(sql, "demo-operator", "operator", clock=clock)
    merchant = (create_key(sql, "demo-merchant", "merchant", merchant_id=merchant_id, clock=clock)
                if merchant_id else None)  # fmt: skip
    link = create_link(sql, order_id, created_by="demo", clock=clock) if order_id else None
    return operator, merchant, link


def _paid_order(conn: sa.Connection) -> tuple[str | None, str | None]:
    """An order whose consumer was paid, preferring a late shipment (the guarantee the demo
    leads with) on an order that went on to be delivered; rules key payouts
    ``payout:order:<id>:…``."""
    row = conn.execute(
        sa.text(
            "SELECT o.order_id, o.merchant_id FROM ledger_transactions t JOIN order_state o"
            " ON o.order_id = substr(t.txn_key, 14, instr(substr(t.txn_key, 14), ':') - 1)"
            " WHERE t.txn_key LIKE 'payout:order:%'"
            " ORDER BY t.reason NOT LIKE 'late_shipment%', o.status <> 'delivered', t.txn_key"
            " LIMIT 1"
        )
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def next_steps(result: DemoResult, program: str = "anxin") -> str:
    """The commands to run next on the demo's store, ready to paste (``--db`` on each)."""
    db = shlex.quote(result.db.as_posix())
    run = f"{program} --db {db}"
    lines = [
        "",
        f"Next: the demo's store is {db} (events and ground truth beside it). Try:",
        "",
    ]
    if result.order_id is not None:
        lines.append(
            f"  {run} guarantees {result.order_id} --now {result.now.isoformat()}"
            "   # one order's rights, clocks and payouts"
        )
    lines.append(f"  {run} deadletter list   # the refused lines, with their precise errors")
    if result.merchant_id is not None:
        lines += [
            f"  {run} score explain {result.merchant_id}   # a merchant's score, indicator by "
            "indicator",
            f"  {run} score orders {result.merchant_id} on_time_delivery_rate --as-of "
            f"{result.score_day.isoformat()}   # the orders behind one of its rates",
        ]
    lines += ["", f"or set it once: export ANXIN_DB={db}"]
    lines += _pages(result, run)
    return "\n".join(lines)


def _pages(result: DemoResult, run: str) -> list[str]:
    """How to open the pages on the demo's store (its clock starts at the demo's "now")."""
    base = "http://127.0.0.1:8000"
    lines = ["", "The pages (leave this running, then open the address in a browser):", "",
             f"  {run} serve --now {result.now.isoformat()}", ""]  # fmt: skip
    if result.link_token:
        lines.append(f"  consumer's guarantee hall: {base}/hall?token={result.link_token}")
    if result.merchant_key:
        lines.append(f"  merchant portal ({result.merchant_id}): {base}/signin, key "
                     f"{result.merchant_key}")  # fmt: skip
    if result.operator_key:
        lines.append(f"  operator console: {base}/signin, key {result.operator_key}")
    return lines


def _progress(console: Console, *, bytes_: bool = False) -> Progress:
    counter = DownloadColumn() if bytes_ else MofNCompleteColumn()
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        counter,
        TimeElapsedColumn(),
        console=console,
    )
