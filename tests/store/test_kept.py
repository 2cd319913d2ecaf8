"""A kept read model is built once per state of the store: the same (or an equal) stamp reads
the kept value, another stamp rebuilds it, and a full set of slots starts again."""

from __future__ import annotations

from anxin.store.kept import Kept


def test_a_value_is_rebuilt_only_when_its_stamp_changes() -> None:
    built: list[str] = []
    kept: Kept[str] = Kept(slots=2, freeze=False)

    def build(value: str) -> str:
        built.append(value)
        return value

    assert kept.get("shop", (1, "a"), lambda: build("v1")) == "v1"
    assert kept.get("shop", (1, "a"), lambda: build("v2")) == "v1"  # an equal stamp: kept
    assert kept.get("shop", (2, "a"), lambda: build("v3")) == "v3"  # the store moved on
    assert kept.get("other", (2, "a"), lambda: build("v4")) == "v4"  # its own slot
    assert kept.get("third", (2, "a"), lambda: build("v5")) == "v5"  # slots full: reset
    assert kept.get("shop", (2, "a"), lambda: build("v6")) == "v6"
    assert built == ["v1", "v3", "v4", "v5", "v6"]


def test_an_object_stamp_is_compared_by_identity_and_held() -> None:
    class Facts:  # no __eq__: identity, as the KPI facts
        pass

    kept: Kept[int] = Kept(freeze=True)
    first, second = Facts(), Facts()
    assert kept.get("report", first, lambda: 1) == 1
    assert kept.get("report", first, lambda: 2) == 1
    assert kept.get("report", second, lambda: 3) == 3
