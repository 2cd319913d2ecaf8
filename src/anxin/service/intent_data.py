"""Labelled consumer messages for intent classification: any CSV with a text and an intent
column, and the JDDC file (TSV without a header).

The shared sets are read through :func:`anxin.data.data_path` and never copied into the
repository. A row without text or intent is skipped and counted, never fatal; a missing column
is an error naming the column, the file and the columns it has.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from anxin.data import data_path, missing_data_message

BITEXT = "cs_intents_8k/Bitext_Sample_Customer_Service_Training_Dataset.csv"
JDDC = "cs_intents_zh_jddc_2k/select.txt"
DATASETS = {"bitext": BITEXT, "jddc": JDDC}

_DELIMITERS = ",;\t"


class IntentDataError(ValueError):
    """The file cannot give labelled messages (missing file or column)."""


@dataclass(frozen=True)
class Utterances:
    """Messages and their intent labels, aligned; ``skipped`` rows had no text or no intent."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    skipped: int
    source: str


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:  # one column, or too little text to tell: the CSV default
        return ","


def read_csv(path: Path, text: str = "utterance", intent: str = "intent") -> Utterances:
    """Rows of a CSV (``,``, ``;`` or tab, sniffed; a UTF-8 BOM is dropped)."""
    if not path.is_file():
        raise IntentDataError(f"no such file: {path}")
    with path.open(encoding="utf-8-sig", newline="") as f:
        sample = f.read(8192)
        f.seek(0)
        reader = csv.DictReader(f, delimiter=_delimiter(sample))
        columns = [c for c in (reader.fieldnames or []) if c is not None]
        for wanted in (text, intent):
            if wanted not in columns:
                shown = ", ".join(columns) or "none"
                raise IntentDataError(f"column {wanted!r} not in {path.name} (columns: {shown})")
        texts: list[str] = []
        labels: list[str] = []
        skipped = 0
        for row in reader:
            said, label = (row.get(text) or "").strip(), (row.get(intent) or "").strip()
            if not said or not label:
                skipped += 1
                continue
            texts.append(said)
            labels.append(label)
    return Utterances(tuple(texts), tuple(labels), skipped, path.name)


def read_jddc(path: Path) -> Utterances:
    """JDDC ``select.txt``: tab-separated ``id, query, intent, …`` without a header (the
    candidate-id fields serve a retrieval task and are ignored)."""
    if not path.is_file():
        raise IntentDataError(f"no such file: {path}")
    texts: list[str] = []
    labels: list[str] = []
    skipped = 0
    with path.open(encoding="utf-8-sig") as f:
        for line in f:
            fields = line.rstrip("\r\n").split("\t")
            said = fields[1].strip() if len(fields) > 2 else ""
            label = fields[2].strip() if len(fields) > 2 else ""
            if not said or not label:
                skipped += 1
                continue
            texts.append(said)
            labels.append(label)
    return Utterances(tuple(texts), tuple(labels), skipped, path.name)


def read_utterances(path: Path, text: str = "utterance", intent: str = "intent") -> Utterances:
    """A ``.txt`` file is read as JDDC (TSV, no header); anything else as a CSV with a header."""
    resolved = data_path(path)
    if resolved.suffix == ".txt":
        return read_jddc(resolved)
    return read_csv(resolved, text, intent)


def dataset(name: str) -> Utterances:
    """A shared data set by its short name (``bitext`` or ``jddc``)."""
    path = data_path(DATASETS[name])
    if not path.is_file():
        raise IntentDataError(missing_data_message(f"the {name} intents", [path]))
    return read_utterances(path)
