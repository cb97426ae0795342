"""``GunicornServer``: the app under gunicorn on a free 127.0.0.1 port, its workers' peak RSS, a clean stop.

The server is started in its own session, so a Ctrl-C in the terminal reaches only the benchmark, which
then stops gunicorn by PID (SIGTERM, then SIGKILL after ``stop_timeout``) in ``__exit__``. If the benchmark
itself is SIGKILLed, ``PR_SET_PDEATHSIG`` makes the kernel SIGTERM the gunicorn master, and gunicorn's
workers exit when their master is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psutil

from bench.lib.load import check_loopback

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class WorkerPeak:
    pid: int
    peak_rss_mb: float


class RssSampler(threading.Thread):
    """Samples the RSS of every child of ``pid`` (gunicorn's workers) and keeps each one's peak."""

    def __init__(self, pid: int, interval_s: float) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.pid = pid
        self.interval_s = interval_s
        self.peaks: dict[int, int] = {}
        self.master_peak = 0
        self.processes: dict[int, psutil.Process] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            master = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop_event.is_set():
            self.sample(master)
            self._stop_event.wait(self.interval_s)

    def sample(self, master: psutil.Process) -> None:
        with contextlib.suppress(psutil.Error):
            self.master_peak = max(self.master_peak, master.memory_info().rss)
            for child in master.children(recursive=True):
                self.processes.setdefault(child.pid, child)
                with contextlib.suppress(psutil.Error):
                    rss = child.memory_info().rss
                    self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), rss)

    def stop(self) -> None:
        self._stop_event.set()


class GunicornServer:
    """Context manager: ``with GunicornServer(settings="bench.settings") as server: server.url("/health/")``."""

    def __init__(
        self,
        *,
        settings: str = "bench.settings",
        app: str = "sanctuary.wsgi:application",
        workers: int = 2,
        host: str = "127.0.0.1",
        env: dict[str, str] | None = None,
        startup_timeout: float = 60.0,
        stop_timeout: float = 15.0,
        sample_interval: float = 0.1,
        health_path: str = "/health/",
        extra_args: tuple[str, ...] = (),
    ) -> None:
        check_loopback(host)
        self.settings = settings
        self.app = app
        self.workers = workers
        self.host = host
        self.env = env or {}
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.sample_interval = sample_interval
        self.health_path = health_path
        self.extra_args = extra_args
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.sampler: RssSampler | None = None
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------------

    def __enter__(self) -> GunicornServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self) -> None:
        self.port = free_port(self.host)
        env = {**os.environ, **self.env, "DJANGO_SETTINGS_MODULE": self.settings}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")]))
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            self.app,
            "--bind",
            f"{self.host}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--graceful-timeout",
            str(max(1, int(self.stop_timeout) - 5)),
            "--timeout",
            "60",
            "--log-level",
            "warning",
            "--config",
            "python:sanctuary.gunicorn_conf",
            *self.extra_args,
        ]
        self._log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log")
        self.process = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.sampler = RssSampler(self.process.pid, self.sample_interval)
        self.sampler.start()
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.startup_timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
                conn.request("GET", self.health_path)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
            except OSError as error:
                last = type(error).__name__
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not healthy after {self.startup_timeout:.0f}s ({last}):\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the master (graceful), SIGKILL to master and workers after ``stop_timeout``."""
        if self.sampler is not None:
            self.sampler.stop()
            self.sampler.join(timeout=2)
            # One last look, so workers forked after the last sample are killed too.
            if self.process is not None and self.process.poll() is None:
                with contextlib.suppress(psutil.Error):
                    self.sampler.sample(psutil.Process(self.process.pid))
        known = list(self.sampler.processes.values()) if self.sampler else []
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                self.process.wait()
        # Workers normally exit with their master; any that did not are killed by PID (psutil checks the
        # process is still the one we saw, so a recycled PID is never signalled).
        if known:
            _, alive = psutil.wait_procs(known, timeout=5)
            for proc in alive:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            psutil.wait_procs(alive, timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, chars: int = 3000) -> str:
        if self._log is None:
            return ""
        with open(self._log.name, "rb") as handle:
            return handle.read().decode(errors="replace")[-chars:]

    # -- results ---------------------------------------------------------------------------------------------------

    def worker_peaks(self) -> list[WorkerPeak]:
        if self.sampler is None:
            return []
        return [WorkerPeak(pid, rss / 2**20) for pid, rss in sorted(self.sampler.peaks.items())]

    def master_peak_mb(self) -> float:
        return self.sampler.master_peak / 2**20 if self.sampler else 0.0
