"""Interleaved rounds, medians and ratios: the arithmetic every benchmark reports.

Absolute times on these shared machines drift up to 3x between runs, so a figure is only ever reported as a
ratio to a named floor measured in the *same* run. Each round runs every variant once, in an order rotated
by one per round, so slow drift (another tenant's job starting) hits all variants alike; the ratio is the
median over rounds of the per-round ratio (variant / its floor in that round).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Measurement:
    """One variant in one round. ``rate`` is work per second (requests/s or transactions/s)."""

    rate: float
    count: int = 0
    elapsed_s: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0  # failures that are not an HTTP status (connect/read/timeout, failed transactions)
    tool: str = ""
    note: str = ""

    @property
    def non_2xx(self) -> int:
        return self.errors + sum(n for code, n in self.statuses.items() if not code.startswith("2"))


@dataclass
class Summary:
    """All rounds of one variant."""

    name: str
    measurements: list[Measurement]

    @property
    def rates(self) -> list[float]:
        return [m.rate for m in self.measurements]

    @property
    def median_rate(self) -> float:
        return median(self.rates)

    @property
    def min_rate(self) -> float:
        return min(self.rates)

    @property
    def max_rate(self) -> float:
        return max(self.rates)

    def median_of(self, attribute: str) -> float | None:
        values = [getattr(m, attribute) for m in self.measurements if getattr(m, attribute) is not None]
        return median(values) if values else None

    @property
    def non_2xx(self) -> int:
        return sum(m.non_2xx for m in self.measurements)

    @property
    def statuses(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for m in self.measurements:
            for code, n in m.statuses.items():
                total[code] = total.get(code, 0) + n
        return dict(sorted(total.items()))


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no values")
    return float(statistics.median(values))


def spread(values: Sequence[float]) -> float:
    """(max - min) / median: how far apart the rounds were, as a fraction of the median."""
    mid = median(values)
    return (max(values) - min(values)) / mid if mid else 0.0


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (q in 0..100)."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return float(sorted_values[rank - 1])


def round_orders(names: Sequence[str], rounds: int) -> list[list[str]]:
    """Round r runs every variant, starting at variant r mod n: each variant leads (and trails) in turn."""
    if rounds < 1:
        raise ValueError("at least one round")
    n = len(names)
    return [[names[(r + i) % n] for i in range(n)] for r in range(rounds)] if n else [[] for _ in range(rounds)]


def run_interleaved(
    variants: Mapping[str, Callable[[int], Measurement]],
    rounds: int,
    *,
    on_result: Callable[[int, str, Measurement], Any] | None = None,
) -> dict[str, Summary]:
    """Run every variant once per round in rotating order; ``variants[name](round_index)`` measures once."""
    results: dict[str, list[Measurement]] = {name: [] for name in variants}
    for index, order in enumerate(round_orders(list(variants), rounds)):
        for name in order:
            measurement = variants[name](index)
            results[name].append(measurement)
            if on_result is not None:
                on_result(index, name, measurement)
    return {name: Summary(name, ms) for name, ms in results.items()}


@dataclass(frozen=True)
class Ratio:
    """Variant / floor: the median of per-round ratios, with the worst and best round."""

    median: float
    low: float
    high: float
    per_round: tuple[float, ...]


def ratio(variant: Summary, floor: Summary) -> Ratio:
    """Per-round ratios pair the variant with the floor measured in the same round (interleaved, adjacent)."""
    if len(variant.measurements) != len(floor.measurements):
        raise ValueError(f"{variant.name} and {floor.name} have different round counts")
    per_round = tuple(v / f if f else 0.0 for v, f in zip(variant.rates, floor.rates, strict=True))
    return Ratio(median(per_round), min(per_round), max(per_round), per_round)
