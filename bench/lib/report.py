"""The printed result: one table of medians, spreads, ratios to floors and targets, then RSS and checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.lib.stats import Ratio, Summary, ratio, spread


@dataclass(frozen=True)
class Row:
    name: str
    kind: str
    floor: str | None
    min_ratio: float | None
    min_rate: float | None


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def verdicts(row: Row, summary: Summary, ratio_to_floor: Ratio | None) -> list[str]:
    out = []
    if row.min_ratio is not None and ratio_to_floor is not None:
        ok = ratio_to_floor.median >= row.min_ratio
        out.append(f"≥{_pct(row.min_ratio)} of floor: {'ok' if ok else 'MISS'}")
    if row.min_rate is not None:
        ok = summary.min_rate >= row.min_rate
        out.append(f"≥{row.min_rate:.0f}/s worst round: {'ok' if ok else 'MISS'}")
    return out


def table(rows: Sequence[Row], summaries: Mapping[str, Summary]) -> list[str]:
    header = (
        f"{'scenario':<15} {'via':<11} {'median/s':>9} {'min–max /s':>15} {'spread':>6} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>8}  {'ratio to floor (worst–best)':<36} target"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        s = summaries[row.name]
        r = ratio(s, summaries[row.floor]) if row.floor and row.floor in summaries else None
        ratio_text = f"{_pct(r.median)} of {row.floor} ({_pct(r.low)}–{_pct(r.high)})" if r else "(floor)"
        tool = s.measurements[0].tool if s.measurements else ""
        lines.append(
            f"{row.name:<15} {tool:<11} {s.median_rate:>9.0f} {s.min_rate:>7.0f}–{s.max_rate:<7.0f} "
            f"{_pct(spread(s.rates)):>6} {_ms(s.median_of('p50_ms')):>7} {_ms(s.median_of('p99_ms')):>7} "
            f"{s.non_2xx:>8}  {ratio_text:<36} {'; '.join(verdicts(row, s, r))}"
        )
    for row in rows:
        s = summaries[row.name]
        if s.non_2xx:
            lines.append(
                f"  {row.name}: statuses {s.statuses}, socket/transaction errors "
                f"{sum(m.errors for m in s.measurements)}; {s.measurements[-1].note}".rstrip("; ")
            )
    return lines


def as_json(rows: Sequence[Row], summaries: Mapping[str, Summary]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for row in rows:
        s = summaries[row.name]
        r = ratio(s, summaries[row.floor]) if row.floor and row.floor in summaries else None
        out[row.name] = {
            "kind": row.kind,
            "rates": s.rates,
            "median_rate": s.median_rate,
            "p50_ms": s.median_of("p50_ms"),
            "p99_ms": s.median_of("p99_ms"),
            "statuses": s.statuses,
            "non_2xx": s.non_2xx,
            "floor": row.floor,
            "ratio": None
            if r is None
            else {"median": r.median, "low": r.low, "high": r.high, "per_round": list(r.per_round)},
        }
    return out
