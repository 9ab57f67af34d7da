"""A resident helper per transformer model, so a CLI search does not load torch each time.

Why: loading MiniLM on torch costs 8-20 s per process; a shell user or an agent runs one
`mnemo search` process per query. The helper loads the model once and answers embedding requests
over a Unix socket; it exits after `IDLE_SECONDS` without a request.

Found: the socket is `embed-<12 hex of the model name's SHA-1>.sock` in the helper directory,
`$MNEMO_RUN_DIR` or `/tmp/mnemo-<uid>/`. Secured: that directory is created with mode 0700 and
refused unless the current user owns it and nobody else may enter it, so only this user can
connect. Started: by the first client that finds no socket (under a lock file, so two clients do
not start two helpers), as `python -m mnemo.embed.helper MODEL` in its own session, logging to
`helper-<id>.log` beside the socket. Stopped: after the idle timeout, by `mnemo model stop`, or by
killing it (a stale socket is replaced by the next start).

Protocol: 4-byte big-endian length + JSON request ({"op": "info"} | {"op": "embed", "texts": [...]}
| {"op": "stop"}); the reply is a length-prefixed JSON header, then for "embed" n×dimension
little-endian float32 values.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mnemo.embed.errors import ModelError

IDLE_SECONDS = float(os.environ.get("MNEMO_HELPER_IDLE", "600"))
START_TIMEOUT = 180.0


def run_dir() -> Path:
    """The helpers' private directory (0700, owned by this user), created when missing."""
    path = Path(os.environ.get("MNEMO_RUN_DIR") or f"/tmp/mnemo-{os.getuid()}")
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ModelError(f"{path} must belong to you and be private (mode 0700) to hold the embedding helper's socket")
    return path


def socket_path(model: str) -> Path:
    return run_dir() / f"embed-{hashlib.sha1(model.encode()).hexdigest()[:12]}.sock"


def _send(sock: socket.socket, header: dict, payload: bytes = b"") -> None:
    data = json.dumps(header).encode()
    sock.sendall(struct.pack(">I", len(data)) + data + payload)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        part = sock.recv(min(1 << 20, n - got))
        if not part:
            raise ConnectionError("the embedding helper closed the connection")
        chunks.append(part)
        got += len(part)
    return b"".join(chunks)


def _recv_header(sock: socket.socket) -> dict:
    (n,) = struct.unpack(">I", _recv_exact(sock, 4))
    return json.loads(_recv_exact(sock, n))


@dataclass
class HelperEmbedder:
    """An Embedder whose model lives in the resident helper process."""

    model_name: str
    dimension: int
    model_hash: str
    path: Path = field(repr=False, default=Path())

    def _call(self, request: dict) -> tuple[dict, socket.socket]:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(self.path))
        _send(sock, request)
        return _recv_header(sock), sock

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        header, sock = self._call({"op": "embed", "texts": list(texts)})
        with sock:
            if "error" in header:
                raise ModelError(f"embedding helper for {self.model_name!r}: {header['error']}")
            raw = _recv_exact(sock, header["n"] * header["dimension"] * 4)
        return np.frombuffer(raw, dtype="<f4").reshape(header["n"], header["dimension"]).copy()

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def connect(model: str, *, start: bool = True) -> HelperEmbedder:
    """A client of the model's helper, starting the helper when none answers."""
    path = socket_path(model)
    info = _info(path)
    if info is None:
        if not start:
            raise ModelError(f"no embedding helper runs for {model!r}")
        info = _start(model, path)
    return HelperEmbedder(info["model_name"], int(info["dimension"]), info.get("model_hash", ""), path)


def _info(path: Path) -> dict | None:
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(30)
        with sock:
            sock.connect(str(path))
            _send(sock, {"op": "info"})
            return _recv_header(sock)
    except (OSError, ValueError, ConnectionError):
        return None


def _start(model: str, path: Path) -> dict:
    import fcntl

    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        info = _info(path)  # another client may have started it while we waited
        if info is not None:
            return info
        log = open(path.with_name(path.stem.replace("embed-", "helper-") + ".log"), "ab")
        process = subprocess.Popen([sys.executable, "-m", "mnemo.embed.helper", model], stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=log, start_new_session=True, close_fds=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            info = _info(path)
            if info is not None:
                return info
            if process.poll() is not None:
                raise ModelError(f"the embedding helper for {model!r} exited ({process.returncode}); see {log.name}")
            time.sleep(0.2)
        raise ModelError(f"the embedding helper for {model!r} did not answer within {START_TIMEOUT:.0f} s; see {log.name}")


def stop_all() -> list[str]:
    """Ask every helper of this user to exit; return the models stopped."""
    stopped = []
    for sock_path in sorted(run_dir().glob("embed-*.sock")):
        info = _info(sock_path)
        if info is None:
            sock_path.unlink(missing_ok=True)
            continue
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.connect(str(sock_path))
                _send(sock, {"op": "stop"})
                _recv_header(sock)
            stopped.append(info["model_name"])
        except OSError:
            pass
    return stopped


def serve(model: str, idle: float = IDLE_SECONDS) -> None:
    """The helper's loop: load the model, answer requests one at a time, exit when idle."""
    from mnemo.embed import _load, canonical_model_name

    name = canonical_model_name(model)
    embedder = _load(name, None)
    path = socket_path(name)
    path.unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    os.chmod(path, 0o600)
    server.listen(16)
    server.settimeout(idle)
    info = {"model_name": embedder.model_name, "dimension": embedder.dimension,
            "model_hash": str(getattr(embedder, "model_hash", "") or ""), "pid": os.getpid()}
    try:
        while True:
            try:
                conn, _ = server.accept()
            except socket.timeout:
                return
            with conn:
                try:
                    request = _recv_header(conn)
                    op = request.get("op")
                    if op == "info":
                        _send(conn, info)
                    elif op == "stop":
                        _send(conn, {"stopping": True})
                        return
                    elif op == "embed":
                        vectors = np.ascontiguousarray(embedder.embed_documents(request["texts"]), dtype="<f4")
                        _send(conn, {"n": int(vectors.shape[0]), "dimension": int(vectors.shape[1])}, vectors.tobytes())
                    else:
                        _send(conn, {"error": f"unknown op {op!r}"})
                except Exception as exc:  # one bad request must not end the helper
                    try:
                        _send(conn, {"error": f"{type(exc).__name__}: {exc}"})
                    except OSError:
                        pass
    finally:
        server.close()
        path.unlink(missing_ok=True)


if __name__ == "__main__":  # python -m mnemo.embed.helper MODEL
    serve(sys.argv[1])
