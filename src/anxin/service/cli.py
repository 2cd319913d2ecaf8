"""``anxin service …``: customer-service tools (one JSON line per result)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


def _line(value: dict[str, Any]) -> None:
    click.echo(json.dumps(value, ensure_ascii=False))


@click.group("service")
def service_group() -> None:
    """Customer service: intents of consumer messages (train, classify, evaluate)."""


@service_group.command("train")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--text", "text_column", default="utterance", show_default=True,
              help="Column holding the message.")  # fmt: skip
@click.option("--intent", "intent_column", default="intent", show_default=True,
              help="Column holding its intent label.")  # fmt: skip
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Model directory to write.")  # fmt: skip
def train_command(data: Path, text_column: str, intent_column: str, seed: int, out: Path) -> None:
    """Train an intent model on DATA (a CSV with a header, or JDDC's select.txt)."""
    from anxin.service import intents
    from anxin.service.intent_data import IntentDataError, read_utterances

    try:
        utterances = read_utterances(data, text_column, intent_column)
        model = intents.train(utterances, seed)
    except (IntentDataError, ValueError) as e:
        raise click.ClickException(str(e)) from e
    intents.save(model, out)
    _line({"model": str(out), "version": model.meta["version"], "rows": model.meta["rows"],
           "labels": model.meta["labels"], "skipped": utterances.skipped})  # fmt: skip


@service_group.command("classify")
@click.option("--model", "model_path", required=True, type=click.Path(path_type=Path),
              help="Model directory from `anxin service train` (trusted paths only).")  # fmt: skip
@click.argument("file", type=click.File("r", encoding="utf-8"))
def classify_command(model_path: Path, file: Any) -> None:
    """Classify FILE: one message per line (``-`` for stdin), one JSON line each."""
    from anxin.service import intents

    try:
        model = intents.load(model_path)
    except (FileNotFoundError, TypeError) as e:
        raise click.ClickException(str(e)) from e
    texts = [t for t in (line.strip() for line in file) if t]
    for result in model.classify(texts):
        _line({"text": result.text, "intent": result.intent, "label": result.label,
               "confidence": result.confidence})  # fmt: skip


@service_group.command("evaluate")
@click.option("--dataset", type=click.Choice(["bitext", "jddc"]), default="bitext",
              show_default=True)  # fmt: skip
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--test-share", default=0.3, show_default=True, type=click.FloatRange(0.05, 0.95))
def evaluate_command(dataset: str, seed: int, test_share: float) -> None:
    """Held-out accuracy and macro-F1 on a shared data set (stratified, seeded split); for
    jddc also the plain character n-gram baseline's macro-F1 on the same split."""
    from anxin.service import intents
    from anxin.service.intent_data import IntentDataError
    from anxin.service.intent_data import dataset as load_dataset

    try:
        data = load_dataset(dataset)
    except IntentDataError as e:
        raise click.ClickException(str(e)) from e
    figures = intents.evaluate(data, seed, test_share, baseline=dataset == "jddc")
    _line({"dataset": dataset, "seed": seed, "test_share": test_share, **figures})
