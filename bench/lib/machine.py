"""What the numbers were measured on: load, CPUs, versions. Printed with every result table."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import metadata


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def format_load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in load)


def wrk_version() -> str | None:
    """``wrk -v`` prints its version and usage, exiting 1; None when wrk is not installed."""
    path = shutil.which("wrk")
    if path is None:
        return None
    try:
        result = subprocess.run([path, "-v"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk (unknown version)"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


@dataclass
class MachineInfo:
    cpus: int
    cpu_model: str
    system: str
    python: str
    versions: dict[str, str]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] | None = None
    postgres: str = "unknown"
    load_tool: str = "python client"
    extra: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        versions = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        after = format_load(self.load_after) if self.load_after else "(not yet)"
        lines = [
            f"machine:  {self.cpus} CPUs ({self.cpu_model}), {self.system}",
            f"load avg: before {format_load(self.load_before)} | after {after}   (1, 5, 15 min)",
            f"versions: Python {self.python}, {versions}",
            f"database: {self.postgres}",
            f"load gen: {self.load_tool}",
        ]
        lines.extend(f"{k}: {v}" for k, v in self.extra.items())
        return lines


def collect(*, use_wrk: bool) -> MachineInfo:
    """Everything but the PostgreSQL version (which needs a connection; set ``.postgres`` afterwards)."""
    wrk = wrk_version() if use_wrk else None
    return MachineInfo(
        cpus=os.cpu_count() or 1,
        cpu_model=cpu_model(),
        system=f"{platform.system()} {platform.release()}",
        python=platform.python_version(),
        versions={name: package_version(name) for name in ("Django", "psycopg", "gunicorn", "psutil")},
        load_before=load_average(),
        load_tool=wrk if wrk else "python client (threads + http.client keep-alive)",
    )
