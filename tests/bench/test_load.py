"""The load driver's pure parts: Lua escaping and script shape, and the Python client's request bound.

The client test talks to a tiny server on 127.0.0.1 only; it asserts counts, never timings.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.lib.load import Request, drive, drive_python, json_request, lua_script, lua_string


def lua_unescape(literal: str) -> bytes:
    """Decode what lua_string produces: a double-quoted literal with only \\ddd escapes."""
    assert literal[0] == literal[-1] == '"'
    body = literal[1:-1]
    assert '"' not in re.sub(r"\\\d{3}", "", body), "an unescaped quote would end the Lua string early"
    out = bytearray()
    i = 0
    while i < len(body):
        if body[i] == "\\":
            out.append(int(body[i + 1 : i + 4]))
            i += 4
        else:
            out.append(ord(body[i]))
            i += 1
    return bytes(out)


@pytest.mark.parametrize(
    "data",
    [
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n",
        b'{"q": "she said \\"hi\\"", "path": "C:\\\\x"}',
        bytes(range(256)),
        b"\x001\n2\t3",  # an escape followed by a digit must not swallow it
        "naïve – café ☕".encode(),
    ],
)
def test_lua_string_round_trips_any_bytes(data: bytes) -> None:
    literal = lua_string(data)
    assert literal.isascii()
    assert "\r" not in literal and "\n" not in literal
    assert lua_unescape(literal) == data


def test_lua_escapes_are_always_three_digits() -> None:
    assert lua_string(b"\n1") == '"\\0101"'
    assert lua_string(b'"\\') == '"\\034\\092"'


def test_lua_script_holds_every_request_in_chunks_and_splits_the_cap_over_threads() -> None:
    raw = [f"GET /{i} HTTP/1.1\r\n\r\n".encode() for i in range(4500)]

    script = lua_script(raw, threads=3, max_requests=10)

    assert script.count("local _ = (function()") == 3  # 2000 + 2000 + 500
    assert all(lua_string(r) in script for r in (raw[0], raw[2000], raw[4499]))
    assert "local caps = {4, 3, 3}" in script
    assert "local nthreads = 3" in script
    # Lua 5.1 reads a line starting with "(" as a call on the previous line's value.
    assert not any(line.startswith("(") for line in script.splitlines())


def test_request_raw_form_has_host_and_content_length() -> None:
    r = json_request("/x/", {"a": 1}, headers=(("svix-id", "msg_1"),))
    assert r.raw("127.0.0.1:8000") == (
        b"POST /x/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\nsvix-id: msg_1\r\n"
        b'Content-Length: 7\r\n\r\n{"a":1}'
    )
    assert b"Content-Length" not in Request("GET", "/").raw("h")


class _Counting(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: list[str] = []
    lock = threading.Lock()

    def _answer(self, status: int) -> None:
        with self.lock:
            self.hits.append(self.path)
        body = b'{"ok":true}'
        # One write per response: separate header and body writes meet delayed ACKs and crawl.
        self.wfile.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)

    def do_GET(self) -> None:
        self._answer(503 if self.path == "/down" else 200)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self._answer(201)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def tiny_server() -> Iterator[tuple[int, list[str]]]:
    _Counting.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], _Counting.hits
    finally:
        server.shutdown()
        server.server_close()


def test_python_client_sends_exactly_max_requests(tiny_server: tuple[int, list[str]]) -> None:
    port, hits = tiny_server
    # A generous time bound: the request count must be what stops it.
    m = drive(f"http://127.0.0.1:{port}/ok", duration_s=60, connections=4, max_requests=37, tool="python")

    assert m.count == 37
    assert len(hits) == 37
    assert m.statuses == {"200": 37}
    assert m.note == "capped"
    assert m.tool == "python"


def test_python_client_cycles_pregenerated_requests_and_counts_non_2xx(tiny_server: tuple[int, list[str]]) -> None:
    port, hits = tiny_server
    requests = [json_request("/a", {"i": 1}), Request("GET", "/down"), Request("GET", "/b")]

    m = drive_python("127.0.0.1", port, requests, duration_s=60, connections=1, max_requests=7)

    assert hits == ["/a", "/down", "/b", "/a", "/down", "/b", "/a"]
    assert m.statuses == {"200": 2, "201": 3, "503": 2}
    assert m.non_2xx == 2


def test_python_client_is_bounded_by_time_too(tiny_server: tuple[int, list[str]]) -> None:
    port, hits = tiny_server
    m = drive(f"http://127.0.0.1:{port}/ok", duration_s=0.2, connections=2, max_requests=10**9, tool="python")
    assert m.note == ""  # stopped by the clock, not the cap
    assert 0 < m.count == len(hits) < 10**9


@pytest.mark.parametrize("url", ["http://10.0.0.1:80/", "http://example.org:80/", "https://127.0.0.1:1/"])
def test_driver_refuses_anything_but_plain_http_on_loopback(url: str) -> None:
    with pytest.raises(ValueError):
        drive(url, duration_s=1, max_requests=1, tool="python")
