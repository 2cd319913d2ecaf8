"""Intent classification (issue 14): training from any CSV, classify output, determinism, the
held-out figures on the shared data and on hand-written paraphrases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from anxin.cli.main import main
from anxin.service import intents
from anxin.service.intent_data import BITEXT, JDDC, dataset, read_utterances
from tests.conftest import shared_data

HERE = Path(__file__).parent

# Two intents per language, a few lines each: enough for a fast, real fit.
SMALL_ROWS = [
    ("where is my parcel", "track_order"),
    ("my package has not arrived, where is it", "track_order"),
    ("track my order please", "track_order"),
    ("I want my money back", "get_refund"),
    ("please refund this order", "get_refund"),
    ("give me a refund", "get_refund"),
    ("我的快递到哪了", "物流全程跟踪"),
    ("包裹怎么还没到", "物流全程跟踪"),
    ("查一下物流", "物流全程跟踪"),
    ("我要退款", "申请退款"),
    ("钱什么时候退给我", "申请退款"),
    ("申请退款怎么弄", "申请退款"),
]


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def one_json_line(output: str) -> dict[str, Any]:
    parsed = lines(output)
    assert len(parsed) == 1, output
    return parsed[0]


def write_semicolon_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    body = "\n".join(f'"{text}";{label};x' for text, label in rows)
    path.write_text("\ufeffmessage;label;extra\n" + body + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_model(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    data = write_semicolon_csv(tmp_path / "msgs.csv", SMALL_ROWS)
    out = tmp_path / "model"
    result = run("service", "train", str(data), "--text", "message", "--intent", "label",
                 "--seed", "7", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, one_json_line(result.output)


def test_train_from_a_semicolon_csv_with_other_column_names(
    small_model: tuple[Path, dict[str, Any]],
) -> None:
    out, line = small_model
    assert set(line) == {"model", "version", "rows", "labels", "skipped"}
    assert (line["model"], line["rows"], line["skipped"]) == (str(out), 12, 0)
    assert line["labels"] == sorted({label for _, label in SMALL_ROWS})
    meta = json.loads((out / intents.META_FILE).read_text("utf-8"))
    assert (meta["version"], meta["seed"], meta["source"]) == (line["version"], 7, "msgs.csv")
    assert meta["params"]["c"] == intents.DEFAULT_PARAMS.c


def test_a_missing_column_names_the_column_the_file_and_the_columns(tmp_path: Path) -> None:
    data = write_semicolon_csv(tmp_path / "msgs.csv", SMALL_ROWS)
    result = run("service", "train", str(data), "--text", "message", "--out",
                 str(tmp_path / "m"))  # fmt: skip
    assert result.exit_code != 0
    assert "'intent'" in result.output
    assert "msgs.csv" in result.output
    assert "message, label, extra" in result.output
    assert not (tmp_path / "m").exists()


def test_bad_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    data = tmp_path / "tabs.tsv"
    good = "\n".join(f"{label}\t{text}" for text, label in SMALL_ROWS)
    data.write_text("intent\tutterance\n" + good + "\n\trefund me\ntrack_order\t  \n\t\n")
    result = run("service", "train", str(data), "--out", str(tmp_path / "m"))
    assert result.exit_code == 0, result.output
    line = one_json_line(result.output)
    assert (line["rows"], line["skipped"]) == (12, 3)


def test_jddc_rows_without_a_query_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "select.txt"
    path.write_text("0\t我要退款\t申请退款\t1\t2\n1\t\t申请退款\t\t\n2\t只有两列\n", "utf-8")
    data = read_utterances(path)
    assert (data.texts, data.labels, data.skipped) == (("我要退款",), ("申请退款",), 2)


def test_classify_prints_one_line_per_utterance_in_both_languages(
    small_model: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, _ = small_model
    messages = tmp_path / "in.txt"
    messages.write_text("where is my package\n\n我的快递到哪了\n", encoding="utf-8")
    out = lines(run("service", "classify", "--model", str(path), str(messages)).output)
    assert [o["text"] for o in out] == ["where is my package", "我的快递到哪了"]
    assert all(set(o) == {"text", "intent", "label", "confidence"} for o in out)
    assert [o["label"] for o in out] == ["track_order", "物流全程跟踪"]
    assert [o["intent"] for o in out] == ["where_is_my_parcel", "where_is_my_parcel"]
    assert all(0.0 < o["confidence"] <= 1.0 for o in out)

    piped = lines(run("service", "classify", "--model", str(path), "-", input="我要退款\n").output)
    assert [(o["label"], o["intent"]) for o in piped] == [("申请退款", "refund")]


def test_classify_refuses_a_directory_that_is_no_model(tmp_path: Path) -> None:
    result = run("service", "classify", "--model", str(tmp_path), "-", input="hi\n")
    assert result.exit_code != 0
    assert "is not an intent model" in result.output


def test_same_seed_same_version_and_predictions(tmp_path: Path) -> None:
    data = write_semicolon_csv(tmp_path / "msgs.csv", SMALL_ROWS)
    versions, predictions = [], []
    for name in ("a", "b"):
        out = tmp_path / name
        line = one_json_line(run("service", "train", str(data), "--text", "message", "--intent",
                                 "label", "--out", str(out)).output)  # fmt: skip
        versions.append(line["version"])
        result = run("service", "classify", "--model", str(out), "-",
                     input="where is it\n退款\nrefund please\n")  # fmt: skip
        predictions.append(result.output)
    assert versions[0] == versions[1]
    assert predictions[0] == predictions[1]
    args = ("--text", "message", "--intent", "label", "--seed", "1", "--out", str(tmp_path / "c"))
    other = one_json_line(run("service", "train", str(data), *args).output)
    assert other["version"] != versions[0]  # the seed is part of the version


@pytest.mark.parametrize(
    ("label", "intent"),
    [("track_order", "where_is_my_parcel"), ("物流全程跟踪", "where_is_my_parcel"),
     ("发错货", "exchange"), ("refund", "refund"), ("no_such_label", "other")],
)  # fmt: skip
def test_labels_map_onto_engine_intents(label: str, intent: str) -> None:
    assert intents.engine_intent(label) == intent


# --- real data (the shared sets; skipped when absent) --------------------------------------


def needs(name: str) -> None:
    """Skip without the shared data set, fail under CI (the shared helper)."""
    shared_data("the intent data", name)


def test_every_label_of_both_sets_is_mapped() -> None:
    needs(BITEXT)
    needs(JDDC)
    _, mapping = intents.intent_map()
    for name, count in (("bitext", 27), ("jddc", 51)):
        labels = set(dataset(name).labels)
        assert len(labels) == count
        assert labels <= set(mapping), labels - set(mapping)


def test_evaluate_bitext() -> None:
    needs(BITEXT)
    out = one_json_line(run("service", "evaluate").output)
    assert set(out) == {"dataset", "seed", "test_share", "accuracy", "macro_f1", "n_train",
                        "n_test", "labels"}  # fmt: skip
    assert (out["dataset"], out["labels"]) == ("bitext", 27)
    assert out["n_train"] + out["n_test"] == len(dataset("bitext").texts)
    assert out["macro_f1"] >= 0.90


def test_evaluate_jddc_beats_the_plain_baseline() -> None:
    needs(JDDC)
    out = one_json_line(run("service", "evaluate", "--dataset", "jddc").output)
    assert {"accuracy", "macro_f1", "baseline_macro_f1", "n_train", "n_test"} <= set(out)
    assert (out["labels"], out["n_train"] + out["n_test"]) == (51, 2094)
    assert out["macro_f1"] >= 0.75
    assert out["macro_f1"] > out["baseline_macro_f1"]


@pytest.mark.parametrize(
    ("source", "fixture", "floor"),
    # Floors far above chance (1/27, 1/51) yet below what the default model reaches (see
    # docs/service.md): Bitext is generated and transfers poorly to other wordings.
    [(BITEXT, "paraphrases_en.csv", 0.35), (JDDC, "paraphrases_zh.csv", 0.6)],
)
def test_hand_written_paraphrases(source: str, fixture: str, floor: float, tmp_path: Path) -> None:
    """Trained on a shared set, scored on lines written by hand in other words."""
    needs(source)
    one_json_line(run("service", "train", source, "--out", str(tmp_path / "m")).output)
    check = read_utterances(HERE / fixture, "said", "label")
    got = intents.load(tmp_path / "m").classify(list(check.texts))
    right = sum(g.label == want for g, want in zip(got, check.labels, strict=True))
    assert right / len(got) >= floor, [(g.text, g.label) for g in got]
