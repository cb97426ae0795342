"""The arithmetic of bench/: interleaving order, medians, spreads and per-round ratios (no timings)."""

from __future__ import annotations

import pytest

from bench.lib.stats import Measurement, Summary, median, percentile, ratio, round_orders, run_interleaved, spread


def summary(name: str, *rates: float) -> Summary:
    return Summary(name, [Measurement(rate=r) for r in rates])


def test_each_round_runs_every_variant_once_starting_one_later() -> None:
    assert round_orders(["a", "b", "c"], 4) == [
        ["a", "b", "c"],
        ["b", "c", "a"],
        ["c", "a", "b"],
        ["a", "b", "c"],
    ]


def test_over_n_rounds_every_variant_takes_every_position_once() -> None:
    orders = round_orders(["a", "b", "c", "d"], 4)
    for position in range(4):
        assert sorted(order[position] for order in orders) == ["a", "b", "c", "d"]


def test_run_interleaved_calls_variants_in_rotating_order_and_keeps_rounds_in_order() -> None:
    calls: list[tuple[str, int]] = []

    def variant(name: str, base: float):  # type: ignore[no-untyped-def]
        def measure(round_index: int) -> Measurement:
            calls.append((name, round_index))
            return Measurement(rate=base + round_index)

        return measure

    result = run_interleaved({"x": variant("x", 10), "y": variant("y", 20)}, rounds=3)

    assert calls == [("x", 0), ("y", 0), ("y", 1), ("x", 1), ("x", 2), ("y", 2)]
    assert result["x"].rates == [10, 11, 12]
    assert result["y"].rates == [20, 21, 22]


def test_median_and_spread() -> None:
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert spread([90, 100, 110]) == pytest.approx(0.2)
    with pytest.raises(ValueError):
        median([])


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0


def test_ratio_pairs_each_round_with_the_floor_of_the_same_round() -> None:
    # The machine got twice as slow in round 2: the per-round ratio does not notice, a ratio of medians would.
    variant = summary("v", 50, 25, 50)
    floor = summary("f", 100, 50, 100)

    r = ratio(variant, floor)

    assert r.per_round == (0.5, 0.5, 0.5)
    assert (r.median, r.low, r.high) == (0.5, 0.5, 0.5)


def test_ratio_reports_the_worst_and_best_round() -> None:
    r = ratio(summary("v", 30, 60, 45), summary("f", 100, 100, 100))
    assert (r.low, r.median, r.high) == (0.3, 0.45, 0.6)


def test_ratio_needs_the_same_rounds() -> None:
    with pytest.raises(ValueError):
        ratio(summary("v", 1, 2), summary("f", 1, 2, 3))


def test_non_2xx_counts_statuses_and_socket_errors() -> None:
    m = Measurement(rate=1, statuses={"200": 5, "201": 1, "400": 2, "503": 1}, errors=3)
    assert m.non_2xx == 6
