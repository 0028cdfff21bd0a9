"""The ``missions`` command line. Each area registers its own subcommands; errors print as one line."""

from __future__ import annotations

import argparse
import difflib
import gc
import importlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import entry_points
from typing import Any, NoReturn

from ai_missions.kernel.errors import MissionsError
from ai_missions.kernel.heap import GC_THRESHOLD

#: Modules that contribute subcommands, each exposing ``register(subparsers)``. Imported lazily so that
#: ``missions --help`` stays fast and one broken area cannot hide the others. Areas the platform does not name
#: (the simulated systems' ``missions systems``) register a module under the ``ai_missions.commands`` entry points.
COMMANDS_GROUP = "ai_missions.commands"
COMMAND_MODULES = (
    "ai_missions.cli.knowledge_commands",
    "ai_missions.cli.commands",
    "ai_missions.cli.account_commands",
    "ai_missions.cli.dashboard_commands",
    "ai_missions.cli.eval_commands",
    "ai_missions.cli.worker_commands",
    "ai_missions.cli.serve_commands",
    "ai_missions.cli.tier_commands",
    "ai_missions.cli.schedule_commands",
)

Handler = Callable[[argparse.Namespace], int | None]


def columns(rows: Sequence[Sequence[str]], *, width: int | None = None, shrinkable: Sequence[int] = ()) -> str:
    """Rows as aligned columns (the last one left ragged), the first row being the header. With ``width``, the
    ``shrinkable`` columns are narrowed in the order given (the first to its header's width, then the next), until
    every row fits; a value cut ends with ``…`` (``show`` and ``--json`` give it whole)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i in shrinkable if width is not None else ():
        over = sum(widths) + 2 * (len(widths) - 1) - width  # type: ignore[operator]
        if over > 0:
            widths[i] = max(widths[i] - over, len(rows[0][i]) + 2)

    def cell(text: str, w: int) -> str:
        return text if len(text) <= w else text[: w - 1] + "…"

    def line(row: Sequence[str]) -> str:
        cells = [cell(c, w).ljust(w) for c, w in zip(row[:-1], widths, strict=False)]
        return "  ".join([*cells, cell(row[-1], widths[-1])])

    return "\n".join(line(r) for r in rows)


def emit(data: Any, *, as_json: bool, render: Callable[[Any], str] | None = None) -> None:
    """Print ``data`` as JSON (``--json``) or through ``render`` as text for a person."""
    if as_json or render is None:
        print(json.dumps(data, indent=2, default=str))
    else:
        print(render(data))


def json_command(
    parser: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], Any], *, help: str | None = None
) -> None:
    """Give a command its handler and the ``--json`` flag (its answer as data for a program, :func:`emit`'s
    ``as_json``; ``help`` what the flag's line in ``--help`` says): every command that answers in data takes the
    flag the same way."""
    parser.add_argument("--json", action="store_true", help=help)
    parser.set_defaults(handler=handler)


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped: an error echoing what someone typed stays
    one line, and cannot move the cursor or rewrite the terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class LazyChoices(Sequence[str]):
    """Choices read when first needed (checking a value, a subcommand's help), not when ``missions`` starts: the
    missions' names come from their entry points, which take longer to scan than most commands take to run.
    ``load`` names the function that lists them, ``"module:function"``.
    :class:`Parser` gives such an argument a ``metavar`` when it has none: argparse would otherwise list the choices
    while registering it (a scan of the entry points on every start)."""

    def __init__(self, load: str) -> None:
        self._load = load  # "module:function", imported on first need
        self._values: list[str] | None = None

    def _all(self) -> list[str]:
        if self._values is None:
            module, _, function = self._load.partition(":")
            self._values = list(getattr(importlib.import_module(module), function)())
        return self._values

    def __contains__(self, value: object) -> bool:
        return value in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``missions: error: ...``, exit 2) instead of a usage block, and lazy choices
    left unread until a value is checked."""

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if isinstance(kwargs.get("choices"), LazyChoices) and kwargs.get("metavar") is None:
            name = kwargs.get("dest") or max(args, key=len).lstrip("-")
            kwargs["metavar"] = name.upper() if args and args[0].startswith("-") else name
        return super().add_argument(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._argv = list(sys.argv[1:] if args is None else args)
        parsed, extras = super().parse_known_args(args, namespace)
        if (typo := self._unknown_option()) is not None:  # named before "unrecognized arguments: ..."
            self.error(typo)
        return parsed, extras

    def _unknown_option(self) -> str | None:
        """``unknown option --aprove (did you mean --approve?)`` for the first option this (sub)command does not
        know, or None. A command with subcommands leaves its subcommand's options to that subcommand's parser."""
        if any(isinstance(a, argparse._SubParsersAction) for a in self._actions):
            return None
        known = list(self._option_string_actions)
        for token in getattr(self, "_argv", ()):
            if token == "--":
                break
            name = token.partition("=")[0]
            if not name.startswith("--") or " " in name or name in known or [k for k in known if k.startswith(name)]:
                continue
            closest = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            return f"unknown option {name}" + (f" (did you mean {closest[0]}?)" if closest else "")
        return None

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """A value that is not one of the choices names its closest one: ``unknown command 'quue' (did you mean
        queue?)`` for a (sub)command, where argparse listed every choice (28 commands) and suggested none."""
        if action.choices is None or value in action.choices:
            return
        choices = [str(choice) for choice in action.choices]
        closest = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6)
        hint = f" (did you mean {closest[0]}?)" if closest else ""
        if isinstance(action, argparse._SubParsersAction):
            raise argparse.ArgumentError(None, f"unknown command {value!r}{hint}")
        listed = "" if closest else f" (choose from {', '.join(choices)})"
        raise argparse.ArgumentError(action, f"invalid choice: {value!r}{hint}{listed}")

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("missions").strip()
        where = f" {command}:" if command else ""
        if not message.startswith("unknown option") and (typo := self._unknown_option()) is not None:
            message = typo  # the typo, not what its absence left missing ("one of --approve ... is required")
        self.exit(2, f"missions: error:{where} {one_line(message)} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="missions", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    plugins = [point.value.partition(":")[0] for point in entry_points(group=COMMANDS_GROUP)]
    for name in (*plugins, *COMMAND_MODULES):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


#: The parser :func:`main` uses, built once per thread: building one imports every command area, scans the entry
#: points and registers some 200 arguments, most of what a command called in-process (tests, the fuzzer) cost, and
#: none of it changes while the process runs. Per thread, because a parse records the argv it checks on the parser.
_built = threading.local()


def shared_parser() -> argparse.ArgumentParser:
    """This thread's :func:`build_parser`, built on first use (parsing leaves nothing behind but the argv checked)."""
    parser: argparse.ArgumentParser | None = getattr(_built, "parser", None)
    if parser is None:
        parser = _built.parser = build_parser()
    return parser


def undecodable(argv: Sequence[str]) -> str | None:
    """The first argument that is not text (bytes the locale could not decode reach Python as lone surrogates, which
    no store, file or system can take), shown escaped; None when every one is."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
    return None


def main(argv: Sequence[str] | None = None) -> int:
    if (bad := undecodable(sys.argv[1:] if argv is None else argv)) is not None:
        print(f"missions: error: an argument is not valid UTF-8 text: {bad!r}", file=sys.stderr)
        return 2
    args = shared_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        code = handler(args) or 0
        if not sys.stdout.closed:  # (`serve --transport stdio` hands stdout to MCP, which closes it)
            sys.stdout.flush()  # here, not at exit: a reader that went away (`| head`) is seen below
        return code
    except BrokenPipeError:  # the reader has all it wanted: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except MissionsError as exc:
        print(f"missions: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except OSError as exc:  # a path that cannot be read or written: the file system's answer, not a bug
        where = f": {exc.filename}" if exc.filename is not None else ""
        print(f"missions: error: {one_line(f'{exc.strerror or exc}{where}')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("missions: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line unless asked for the traceback
        if os.environ.get("MISSIONS_DEBUG"):
            raise
        print(
            f"missions: internal error: {type(exc).__name__}: {one_line(str(exc))} "
            "(MISSIONS_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1


def console() -> int:
    """The ``missions`` executable: :func:`main` with the cyclic collector tuned for a short-lived process.

    A cold command allocates millions of objects importing its libraries (LangGraph, Chroma, the MCP SDK), nearly
    none of them garbage, and at exit the interpreter collects that whole heap again while it tears the modules
    down: on a cold ``missions run`` the collector's default pace cost ~0.15 s of CPU and the teardown ~0.4 s
    (``bench/cli_latency.py``, docs/performance.md). So the collector runs less often (long-running commands,
    ``serve`` or ``worker``, still collect, every 10,000 allocations), and what is alive at the end is frozen out of
    the final collections. Here, not in :func:`main`, which tests call in their own process."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    # httpx, under the MCP SDK, imports its own command line's rich, pygments and click when they are installed
    # (~20 ms of every cold command that opens a system, in a `try/except ImportError`): this process never runs it.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    try:
        return main()
    finally:
        gc.freeze()
