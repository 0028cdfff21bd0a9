"""Compiled patterns kept on disk, so that a process loads the reader's patterns instead of compiling them again.

The lexicon's patterns are large alternations (a category holds up to ~450 phrases, ~30,000 characters of pattern),
and ``re`` parses and compiles a pattern in pure Python: the shipped lexicon's ~180 patterns cost ~0.7 s of CPU, and
an eval replay compiled those its cases needed on first use, 7-12 ms a case over a 60-case run
(``bench/replay_budget.py``). What ``re.compile`` builds is a program, a list of integers, that ``_sre.compile`` turns
into a pattern in microseconds (all ~180 programs load in ~12 ms). Neither ``re`` nor the ``regex`` package can keep
one: a compiled pattern pickles as its source and is compiled again when loaded. This module keeps the programs.

A program depends on its source and flags and on the interpreter that compiled it (``re``'s compiler and ``_sre``
come with the interpreter). So there is one file per interpreter (its version and build, ``_sre``'s magic number and
code size, the byte order), and in it each program under its exact source and flags; a pattern whose source changes
is another entry, compiled on first use and written with the rest. The file carries a checksum: a damaged or partial
one reads as empty. ``_sre.compile`` checks a program before it runs it, and one it rejects is compiled again.
Writers write a private temporary file and rename it over the old one: a reader sees a whole file, old or new.

A large pattern's text costs more to build than its kept program costs to load (each of a category's phrases is a
regex of its own, joined): the store also keeps each text under a digest of what it was built from
(:meth:`PatternStore.source`), so a process that finds it builds nothing.

Only :meth:`PatternStore.load` and :meth:`PatternStore.save` touch the disk, never :meth:`PatternStore.compile`:
patterns compile inside the missions' event loops, which must not wait on a file. Deleting the folder is always safe.
"""

from __future__ import annotations

import _sre
import contextlib
import hashlib
import marshal
import os
import re
import sys
import tempfile
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from re import _compiler, _parser  # type: ignore[attr-defined]
from typing import Any

MAGIC = b"AMP2"
_CHECK_BYTES = 16
#: The array type whose items are ``_sre``'s code words ("" where none has their size: then nothing is kept).
_CODE_TYPE = next((t for t in "IL" if array(t).itemsize == _sre.CODESIZE), "")
#: At most this many bytes of programs are written; the programs this process used come first.
MAX_BYTES = 16 * 1024 * 1024

#: A program: the pattern's flags as compiled, its code words, the number of groups, the named groups.
Program = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]


def interpreter_fingerprint() -> str:
    """What a compiled program depends on beside its source and flags: the interpreter's version and build (which
    fix ``re``'s compiler and marshal's format), ``_sre``'s magic number and code word size, the byte order."""
    parts = [sys.version, sys.implementation.cache_tag, _sre.MAGIC, _sre.CODESIZE, sys.maxunicode, sys.byteorder]
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def _compile_program(source: str, flags: int) -> Program:
    """What ``re.compile(source, flags)`` builds (``re._compiler.compile``, step for step)."""
    parsed = _parser.parse(source, flags)
    code = _compiler._code(parsed, flags)
    named: dict[str, int] = dict(parsed.state.groupdict)
    index: list[str | None] = [None] * parsed.state.groups
    for name, number in named.items():
        index[number] = name
    return (
        int(flags | parsed.state.flags),
        array(_CODE_TYPE, code).tobytes(),
        parsed.state.groups - 1,
        named,
        tuple(index),
    )


def _pattern(source: str, program: Program) -> re.Pattern[str]:
    flags, code, groups, named, index = program
    words = array(_CODE_TYPE)
    words.frombytes(code)
    return _sre.compile(source, flags, words.tolist(), groups, named, index)


def _valid(entry: Any) -> bool:
    """An entry as :meth:`PatternStore.save` writes it: ``(source, flags, program)``."""
    if not (isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], str) and isinstance(entry[1], int)):
        return False
    program = entry[2]
    return (
        isinstance(program, tuple)
        and len(program) == 5
        and isinstance(program[0], int)
        and isinstance(program[1], bytes)
        and isinstance(program[2], int)
        and isinstance(program[3], dict)
        and isinstance(program[4], tuple)
    )


def _read(path: Path) -> tuple[list[tuple[str, int, Program]], dict[bytes, str]]:
    """The programs and the built texts of a whole, intact file (none for a missing, partial or damaged one)."""
    try:
        data = path.read_bytes()
    except OSError:
        return [], {}
    head = len(MAGIC) + _CHECK_BYTES
    payload = memoryview(data)[head:]
    if (
        data[: len(MAGIC)] != MAGIC
        or hashlib.blake2b(payload, digest_size=_CHECK_BYTES).digest() != data[len(MAGIC) : head]
    ):
        return [], {}
    try:
        entries, sources = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return [], {}
    if not isinstance(entries, list) or not isinstance(sources, list):
        return [], {}
    texts = {
        entry[0]: entry[1]
        for entry in sources
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], bytes) and isinstance(entry[1], str)
    }
    return [e for e in entries if _valid(e)], texts


@dataclass(eq=False)
class PatternStore:
    """The compiled programs of the patterns a process compiles, kept in ``folder`` (one file per interpreter)."""

    folder: Path | None = None
    _programs: dict[tuple[str, int], Program] = field(default_factory=dict, repr=False)
    _used: dict[tuple[str, int], None] = field(default_factory=dict, repr=False)
    _sources: dict[bytes, str] = field(default_factory=dict, repr=False)
    _new: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def path(self) -> Path | None:
        # the format in the name too: a process of an older release keeps its own file instead of taking turns
        return self.folder / f"{interpreter_fingerprint()}-{MAGIC.decode().lower()}.bin" if self.folder else None

    def load(self, folder: Path | None = None) -> None:
        """Read the programs kept in ``folder`` (the one given before by default) into memory: a file read, so off any
        event loop. Programs already in memory stay as they are."""
        if folder is not None:
            self.folder = folder
        if not _CODE_TYPE or self.path is None:
            return
        kept, texts = _read(self.path)
        with self._lock:
            for source, flags, program in kept:
                self._programs.setdefault((source, flags), program)
            for recipe, text in texts.items():
                self._sources.setdefault(recipe, text)

    def source(self, recipe: bytes, build: Callable[[], str]) -> str:
        """The pattern text ``build`` makes, kept under ``recipe``: a digest of everything the text depends on (the
        caller's inputs and the code that builds it), so a text found under it is the one ``build`` would make."""
        text = self._sources.get(recipe)
        if text is None:
            text = build()
            with self._lock:
                self._sources[recipe] = text
                self._new = True
        return text

    def compile(self, source: str, flags: int = 0) -> re.Pattern[str]:
        """``re.compile(source, flags)``, from the kept program when there is one (no file is read here)."""
        if not _CODE_TYPE:
            return re.compile(source, flags)
        flags = int(flags)  # a ``re.RegexFlag`` is kept as the number it is
        key = (source, flags)
        program = self._programs.get(key)
        if program is not None:
            try:
                pattern = _pattern(source, program)
            except (RuntimeError, TypeError, ValueError, OverflowError):  # a program _sre rejects: compiled again
                program = None
            else:
                self._used[key] = None
                return pattern
        program = _compile_program(source, flags)
        pattern = _pattern(source, program)
        with self._lock:
            self._programs[key] = program
            self._used[key] = None
            self._new = True
        return pattern

    def save(self) -> None:
        """Write the programs compiled here, with those the file holds from other processes, when this process
        compiled one the file did not hold; those used here come first, up to :data:`MAX_BYTES`. A folder that
        cannot be written keeps nothing, and says nothing: the patterns compile as before."""
        path = self.path
        if not self._new or path is None:
            return
        with self._lock:
            mine = dict(self._programs)
            used = list(self._used)
            texts = dict(self._sources)
            self._new = False
        on_file, texts_on_file = _read(path)
        entries: dict[tuple[str, int], Program] = {key: mine[key] for key in used if key in mine}
        for source, flags, program in [*((s, f, p) for (s, f), p in mine.items()), *on_file]:
            entries.setdefault((source, flags), program)
        kept, size = [], 0
        for (source, flags), program in entries.items():
            size += len(source) + len(program[1])
            if size > MAX_BYTES:
                break
            kept.append((source, flags, program))
        built = []
        for recipe, text in {**texts_on_file, **texts}.items():
            size += len(recipe) + len(text)
            if size > MAX_BYTES:
                break
            built.append((recipe, text))
        payload = marshal.dumps((kept, built))
        data = MAGIC + hashlib.blake2b(payload, digest_size=_CHECK_BYTES).digest() + payload
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".bin")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
