"""Issue #38: no module-level pattern of the support readers holds a word of a language. Words live in the per-language
word file (graphs/support/words.toml) and reach a pattern through ``WORDS``; what stays in the code is structure
(punctuation, digits, the order of words around a list). The scan reads the modules' source, so a word written into
a pattern again fails here, whichever pattern it is."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import ai_missions.graphs.support as support

#: Regex syntax that looks like letters: escapes (\b, \s, \w, \d...), named groups and back references, character
#: classes, and counted repeats.
_SYNTAX = re.compile(r"\(\?P<\w+>|\(\?P=\w+\)|\\[a-zA-Z]|\[[^\]]*\]|\{[^}]*\}")
_WORD = re.compile(r"[a-zA-Z]{2,}")
_WORDS_CALLS = ("alternation", "pattern", "phrases", "table")


def inline_words(source: str) -> dict[str, list[str]]:
    """Module-level name -> the words written inline in the pattern it compiles (strings passed to a WORDS call
    are names of word lists, not words)."""
    found: dict[str, list[str]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or not isinstance(node.value, ast.Call):
            continue
        if getattr(node.value.func, "attr", "") != "compile" or not node.value.args:
            continue
        lists = {
            id(inner)
            for call in ast.walk(node.value)
            if isinstance(call, ast.Call) and getattr(call.func, "attr", "") in _WORDS_CALLS
            for inner in ast.walk(call)
        }
        text = " ".join(
            s.value
            for s in ast.walk(node.value.args[0])
            if isinstance(s, ast.Constant) and isinstance(s.value, str) and id(s) not in lists
        )
        if words := sorted(set(_WORD.findall(_SYNTAX.sub(" ", text)))):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            found[getattr(target, "id", "?")] = words
    return found


def test_the_scan_finds_a_word_written_into_a_pattern_and_not_a_list_name_or_syntax() -> None:
    planted = (
        "import re\n"
        "A = re.compile(rf'\\b(?:{WORDS.alternation(\"courtesy_if\")})\\s+(?P<rest>[a-z]+)\\d{2,}')\n"
        "B = re.compile(r'\\bplease\\s+(?:cancel|stop)\\b')\n"
    )
    assert inline_words(planted) == {"B": ["cancel", "please", "stop"]}


def test_no_module_level_pattern_of_the_support_readers_holds_a_word() -> None:
    modules = sorted(Path(support.__file__).parent.glob("*.py"))
    assert len(modules) > 10
    held = {f"{m.name}:{name}": words for m in modules for name, words in inline_words(m.read_text()).items()}
    assert held == {}
