"""A fork server for the kill campaign: ``missions`` processes that start in milliseconds, not seconds.

A ``missions decide`` process spends most of its life importing the stack (LangGraph, MCP, the runtime) before it
claims anything, which made each kill -9 trial cost seconds. This server imports that stack once, single-threaded
(no event loop, no thread, no open database: nothing a fork would break), then forks one child per request that
runs :func:`ai_missions.cli.main` with the request's arguments and environment. The child is a real process doing
real writes to the store and the systems: the test kills it with SIGKILL by pid, as it would a fresh process.

Protocol, one JSON line each way: the client writes ``{"argv": [...], "env": {...}}``; the server answers
``{"pid": N}`` once forked, then ``{"exit": CODE}`` (``-9`` when killed) once the child has ended. The child is
reaped only when the next request (or end of input) arrives, so its pid cannot be reused while the client may still
signal it. A request may also name a ``script`` the child runs as ``__main__`` instead of ``missions`` (the crash
child of the fault campaign: ``python SCRIPT ARGV``), a ``stdin`` file it reads (otherwise it reads nothing), and
``stdout``/``stderr`` files to keep what the child printed (otherwise discarded): :meth:`ForkServer.run` writes and
reads them, as ``subprocess.run`` would.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import runpy
import select
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

#: What ``missions decide`` imports on its way to the first write (the CLI's commands, the deciding runtime, the
#: systems' MCP client, the checkpointer), loaded before any fork.
PRELOAD = (
    "ai_missions.cli",
    "ai_missions.cli.commands",
    "ai_missions.services.identity",
    "ai_missions.services.platform_client",
    "ai_missions.services.review",
    "ai_missions.services.coapproval",
    "ai_missions.services.governance",
    "ai_missions.knowledge_index.policy_book",
    "ai_missions.runtime",
    "ai_missions.services.connections",
    "ai_missions.services.gateway",
    "ai_missions.services.mcp_session",
    "ai_missions.contracts",
    "ai_missions.services.reviewed",
    "aiosqlite",
    "anyio._backends._asyncio",
    "httpcore",
    "langchain_core.tracers.context",
    "argon2",
    "langgraph.checkpoint.sqlite.aio",
    "langchain_mcp_adapters.sessions",
    "mcp",
    "mcp.client.streamable_http",
    "mcp.shared.exceptions",
)


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def run_child(
    argv: Sequence[str],
    env: Mapping[str, str],
    script: str | None = None,
    stdout: str | None = None,
    stderr: str | None = None,
    stdin: str | None = None,
) -> None:
    """In the forked child: ``missions ARGV`` (or ``python SCRIPT ARGV``) with ``env`` added, reading the ``stdin``
    file (nothing where none is named), its output written to the ``stdout`` and ``stderr`` files (discarded where
    none is named), then exit without clean-up of the parent's state (``os._exit``) with the code a fresh process
    would have: ``main``'s, a ``SystemExit``'s, 1 with the traceback printed for an exception, 0 for a script that
    ends."""
    code = 1
    try:
        os.environ.update(env)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(os.open(stdin, os.O_RDONLY) if stdin else devnull, 0)
        # the child's own stdin for its life, not the server's (which read the requests, maybe ahead)
        sys.stdin = open(0, encoding=sys.stdin.encoding, closefd=False)  # noqa: SIM115
        for fd, path in ((1, stdout), (2, stderr)):
            os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) if path else devnull, fd)
        if script is None:
            code = importlib.import_module("ai_missions.cli").main(list(argv))
        else:
            sys.argv = [script, *argv]
            runpy.run_path(script, run_name="__main__")
            code = 0
    except SystemExit as exiting:
        code = exiting.code if isinstance(exiting.code, int) else int(exiting.code is not None)
        if exiting.code is not None and not isinstance(exiting.code, int):
            print(exiting.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def serve() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    importlib.import_module("ai_missions.cli").build_parser()  # the command modules it registers
    for spec in importlib.import_module("ai_missions.kernel.missions").registry().values():
        spec.build_graph()  # the missions' graphs, their nodes and what these import on first use
    # Every object imported so far leaves the collector's view: a child's collections then walk only what the
    # child made, not the whole preloaded stack (and do not write to, thus copy, every page it shares).
    gc.collect()
    gc.freeze()
    if threads() != 1:  # a fork copies only the calling thread: a lock another thread held would stay locked
        sys.exit(f"fork_decider: {threads()} threads after the imports; forking would not be safe")
    print(json.dumps({"ready": os.getpid()}), flush=True)
    pid = None
    for line in sys.stdin:
        if pid is not None:
            os.waitpid(pid, 0)
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            run_child(
                request["argv"],
                request["env"],
                request.get("script"),
                request.get("stdout"),
                request.get("stderr"),
                request.get("stdin"),
            )
        print(json.dumps({"pid": pid}), flush=True)
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped: the pid stays reserved
        assert info is not None
        code = -info.si_status if info.si_code in (os.CLD_KILLED, os.CLD_DUMPED) else info.si_status
        print(json.dumps({"exit": code}), flush=True)
    if pid is not None:
        os.waitpid(pid, 0)


class ForkServer:
    """The client side: ``spawn`` a ``missions`` child, ``poll`` it, ``kill`` it, ``wait`` for it (as with
    :class:`subprocess.Popen`, one child at a time)."""

    def __init__(self, env: Mapping[str, str], *, timeout_s: float = 300) -> None:
        # numpy (imported with the graphs) would otherwise start OpenBLAS's worker thread: one thread, safe to fork
        env = {**env, "OPENBLAS_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__))], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self._buffer = b""
        self._starting: float | None = timeout_s  # waited for at the first spawn: its imports overlap the caller's
        self.pid = 0
        self.returncode: int | None = None

    def _read(self, timeout_s: float) -> dict[str, int] | None:
        """The next message, or None when none came within ``timeout_s``."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left < 0 or not select.select([self.process.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.process.stdout.fileno(), 4096)
            assert chunk, f"the fork server exited with {self.process.wait()}"
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, int] = json.loads(line)
        return message

    def spawn(self, argv: Sequence[str], env: Mapping[str, str], **files: Path | None) -> int:
        """Fork ``missions ARGV`` with ``env`` added; ``files``: the ``script`` to run instead and the ``stdout``,
        ``stderr`` and ``stdin`` files (:func:`run_child`)."""
        if self._starting is not None:
            ready = self._read(self._starting)
            assert "ready" in (ready or {}), "the fork server did not start"
            self._starting = None
        assert self.process.stdin is not None
        request: dict[str, object] = {"argv": list(argv), "env": dict(env)}
        request.update({key: str(path) for key, path in files.items() if path is not None})
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        message = self._read(60)
        assert message is not None, "the fork server did not fork"
        self.pid, self.returncode = message["pid"], None
        return self.pid

    def poll(self) -> int | None:
        if self.returncode is None and (message := self._read(0)) is not None:
            self.returncode = message["exit"]
        return self.returncode

    def kill(self) -> None:
        """SIGKILL the child (still a zombie at worst until the next spawn: its pid names no other process)."""
        os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout_s: float) -> int:
        if self.returncode is None:
            message = self._read(timeout_s)
            assert message is not None, f"the child {self.pid} did not end within {timeout_s} s"
            self.returncode = message["exit"]
        return self.returncode

    def run(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        output: Path,
        *,
        script: Path | None = None,
        stdin: str | None = None,
        timeout_s: float,
    ) -> tuple[int, str, str]:
        """``argv`` run to its end (as :meth:`spawn`), reading ``stdin`` when given, its output kept under the folder
        ``output``: the exit code, what it printed on stdout and what on stderr."""
        output.mkdir(parents=True, exist_ok=True)
        stdout, stderr, given = output / "stdout", output / "stderr", None
        if stdin is not None:
            given = output / "stdin"
            given.write_text(stdin)
        self.spawn(argv, env, script=script, stdout=stdout, stderr=stderr, stdin=given)
        code = self.wait(timeout_s)
        return code, stdout.read_text(errors="replace"), stderr.read_text(errors="replace")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


if __name__ == "__main__":
    serve()
