"""The compiled patterns kept on disk: a kept program gives the pattern ``re.compile`` gives, for every pattern of the
shipped lexicon; a changed source, flag or interpreter misses; a damaged file or a program ``_sre`` rejects is
compiled again; nothing is read from or written to disk outside ``load`` and ``save``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ai_missions.nodes.reading import lexicon
from ai_missions.nodes.reading.lexicon import Words, default
from ai_missions.nodes.reading.lexicon import programs as programs_module
from ai_missions.nodes.reading.lexicon.programs import PatternStore, interpreter_fingerprint


def _every_source() -> list[str]:
    """The source of every pattern of the shipped lexicon (its categories, its kinds' words and methods)."""
    shipped = default()
    every: list[Words] = list(shipped.words.values())
    for kind in shipped.kinds.values():
        for value in vars(kind).values():
            every += [value] if isinstance(value, Words) else [w for w in getattr(value, "values", list)()]
    sources = []
    for words in every:
        ordered = sorted(words.phrases, key=lambda p: -len(p))
        if ordered:
            sources.append(lexicon._alternatives([lexicon._phrase_regex(p, words.stop) for p in ordered]))
    return sources


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("compiled, not read from the store")

    monkeypatch.setattr(programs_module, "_compile_program", refuse)


def test_every_pattern_of_the_lexicon_is_the_one_re_compiles_whether_compiled_or_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = _every_source()
    assert len(sources) > 100
    compiled = PatternStore(tmp_path)
    first = [compiled.compile(source) for source in sources]
    compiled.save()
    kept = PatternStore()
    kept.load(tmp_path)
    _no_compiling(monkeypatch)
    second = [kept.compile(source) for source in sources]
    for source, one, other in zip(sources, first, second, strict=True):
        expected = re.compile(source)
        # a pattern equals another of the same source, flags and program (CPython compares the code words)
        assert one == expected
        assert other == expected
        assert (other.groups, other.groupindex) == (expected.groups, expected.groupindex)


def test_a_kept_program_matches_as_the_compiled_pattern_does(tmp_path: Path) -> None:
    source = r"(?<![\w])(?:(?P<verb>cancel\w*)|stop)[\s\-/]+(?:the[\s\-/]+)?(?P<what>order|subscription)(?![\w])"
    store = PatternStore(tmp_path)
    store.compile(source)
    store.save()
    kept = PatternStore()
    kept.load(tmp_path)
    text = "please cancel the order, or stop subscription; cancelling order now"
    expected = re.compile(source)
    pattern = kept.compile(source)
    assert [m.groupdict() | {"span": m.span()} for m in pattern.finditer(text)] == [
        m.groupdict() | {"span": m.span()} for m in expected.finditer(text)
    ]


def test_a_changed_source_or_flag_is_compiled_and_kept_beside_the_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PatternStore(tmp_path)
    store.compile(r"refund\w*")
    store.save()
    kept = PatternStore()
    kept.load(tmp_path)
    calls: list[str] = []
    compile_program = programs_module._compile_program

    def counted(source: str, flags: int) -> programs_module.Program:
        calls.append(source)
        return compile_program(source, flags)

    monkeypatch.setattr(programs_module, "_compile_program", counted)
    assert kept.compile(r"refund\w*") == re.compile(r"refund\w*")
    assert calls == []
    assert kept.compile(r"refunds?\w*") == re.compile(r"refunds?\w*")
    assert kept.compile(r"refund\w*", re.IGNORECASE) == re.compile(r"refund\w*", re.IGNORECASE)
    assert calls == [r"refunds?\w*", r"refund\w*"]
    kept.save()
    again = PatternStore()
    again.load(tmp_path)
    _no_compiling(monkeypatch)
    for source, flags in ((r"refund\w*", 0), (r"refunds?\w*", 0), (r"refund\w*", re.IGNORECASE)):
        assert again.compile(source, flags) == re.compile(source, flags)


def test_another_interpreter_reads_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = PatternStore(tmp_path)
    store.compile("late|delayed")
    store.save()
    assert [p.name for p in tmp_path.iterdir()] == [f"{interpreter_fingerprint()}-amp2.bin"]
    monkeypatch.setattr(programs_module.sys, "version", sys.version + " (another build)")
    other = PatternStore()
    other.load(tmp_path)
    calls: list[str] = []
    compile_program = programs_module._compile_program
    monkeypatch.setattr(programs_module, "_compile_program", lambda s, f: calls.append(s) or compile_program(s, f))
    assert other.compile("late|delayed") == re.compile("late|delayed")
    assert calls == ["late|delayed"]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "not ours"])
def test_a_damaged_file_reads_as_empty_and_is_written_again(tmp_path: Path, damage: str) -> None:
    store = PatternStore(tmp_path)
    store.compile("damaged|broken")
    store.save()
    (path,) = tmp_path.iterdir()
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":
        path.write_bytes(data[:-3] + bytes([data[-3] ^ 0xFF]) + data[-2:])
    else:
        path.write_bytes(b"something else entirely")
    again = PatternStore()
    again.load(tmp_path)
    assert again.compile("damaged|broken") == re.compile("damaged|broken")
    again.save()
    whole = PatternStore()
    whole.load(tmp_path)
    assert ("damaged|broken", 0) in whole._programs


def test_a_program_sre_rejects_is_compiled_again(tmp_path: Path) -> None:
    store = PatternStore(tmp_path)
    flags, code, groups, named, index = programs_module._compile_program("late|delayed", 0)
    store._programs[("late|delayed", 0)] = (flags, code[: len(code) // 2], groups, named, index)
    assert store.compile("late|delayed") == re.compile("late|delayed")


def test_nothing_is_written_without_a_new_program_nor_where_the_folder_cannot_be(tmp_path: Path) -> None:
    store = PatternStore(tmp_path / "store")
    store.save()
    assert not (tmp_path / "store").exists()
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    unwritable = PatternStore(blocked / "store")
    assert unwritable.compile("late") == re.compile("late")
    unwritable.save()  # says nothing: the patterns compile as before


def test_the_lexicon_compiles_through_the_store_and_load_words_reads_it_off_the_loop(tmp_path: Path) -> None:
    """A new process with an empty store builds a category's text and compiles it, and writes both at exit; the next
    reads them, and builds and compiles nothing."""
    script = (
        "import sys\n"
        "from ai_missions.nodes.reading import lexicon\n"
        "from ai_missions.nodes.reading.lexicon import default, load_words, programs\n"
        "calls = []\n"
        "original = programs._compile_program\n"
        "programs._compile_program = lambda s, f: calls.append(s) or original(s, f)\n"
        "built = []\n"
        "phrase = lexicon._phrase_regex\n"
        "lexicon._phrase_regex = lambda *a: built.append(a) or phrase(*a)\n"
        "load_words()\n"
        "default()['hedge'].search('maybe later')\n"
        "print(len(calls), bool(built))\n"
    )
    env = {"MISSIONS_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    assert runs == ["1 True\n", "0 False\n"]
    assert [p.name for p in (tmp_path / "patterns").iterdir()] == [f"{interpreter_fingerprint()}-amp2.bin"]


def test_the_patterns_built_from_the_lexicon_are_the_ones_re_compiles() -> None:
    from ai_missions.nodes.reading import figures

    for name, pattern in figures._patterns(default()).items():
        assert pattern == re.compile(pattern.pattern, pattern.flags), name
    amounts = figures._amount_pattern(default())
    assert amounts == re.compile(amounts.pattern, re.IGNORECASE)


def test_every_pattern_is_the_same_text_in_every_process(tmp_path: Path) -> None:
    """What the store finds a program by: a pattern built from a set in the set's order would be another text in
    each process (its hash seed), and never found."""
    script = (
        "import hashlib\n"
        "from ai_missions.nodes.reading import figures, lexicon\n"
        "from ai_missions.nodes.reading.lexicon import default\n"
        "import tests.test_lexicon_programs as t\n"
        "texts = t._every_source() + [p.pattern for p in figures._patterns(default()).values()]\n"
        "texts += [figures._amount_pattern(default()).pattern, figures._cents_after_currency(default()).pattern]\n"
        "print(hashlib.sha256('\\n'.join(texts).encode()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parent.parent
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PYTHONHASHSEED": seed, "MISSIONS_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1


def test_a_kept_text_is_used_only_for_the_same_phrases_and_the_same_building_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phrases = ["not ~ anymore", "no longer", "{stop|quit} *ing"]
    monkeypatch.setattr(lexicon, "_PROGRAMS", PatternStore(tmp_path))
    expected = Words(phrases).pattern
    lexicon._PROGRAMS.save()
    built: list[str] = []
    phrase_regex = lexicon._phrase_regex
    monkeypatch.setattr(lexicon, "_phrase_regex", lambda p, stop="": built.append(p) or phrase_regex(p, stop))
    monkeypatch.setattr(lexicon, "_PROGRAMS", PatternStore())
    lexicon._PROGRAMS.load(tmp_path)
    assert Words(phrases).pattern == expected
    assert built == []
    assert Words([*phrases, "nevermore"]).pattern == re.compile(Words([*phrases, "nevermore"])._source())
    assert Words(phrases, stop="not").pattern == re.compile(Words(phrases, stop="not")._source())
    assert Words(list(reversed(phrases))).pattern is not None
    assert len(built) > 0
    built.clear()
    monkeypatch.setattr(lexicon, "_BUILDER", b"another release of the code that builds the texts")
    assert Words(phrases).pattern == expected
    assert built  # built again: the kept text was another code's
