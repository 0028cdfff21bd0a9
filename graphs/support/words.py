"""The support readers' words as data: ``words.toml`` lists, by name and per language, the words and phrases each
reader looks for, and the readers build their patterns from them here (one mechanism for every module), so a new
wording or a new language is a line of data, not a new pattern. What is structure (punctuation, numbers, the order
of words around a list) stays in the readers' code."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("words.toml")
#: What a space in a listed phrase matches when any white space may stand between its words (``space=``).
WHITE_SPACE = r"\s+"


class Words:
    """The lists of a words file: each a name, and its phrases per language (``en``, ``de``, ``fr``, ``es``, or
    ``any`` for what belongs to no one language); a ``[table]`` of a name maps each word to what it stands for."""

    def __init__(self, path: Path = PATH) -> None:
        self.lists: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))

    def phrases(self, *names: str, languages: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The phrases of the named lists (or tables), of every language (or of ``languages`` only), each once."""
        found: list[str] = []
        for name in names:
            for key, listed in self.lists[name].items():
                if isinstance(listed, str):
                    found.append(key)
                elif not languages or key in languages:
                    found += listed
        return tuple(dict.fromkeys(found))

    def table(self, name: str) -> dict[str, str]:
        """The words of a table and what each stands for ("master card" -> "mastercard")."""
        return {word: str(meant) for word, meant in self.lists[name].items()}

    def alternation(self, *names: str, space: str = " ", languages: tuple[str, ...] = ()) -> str:
        """One regex alternation of the phrases, longest first; a space in a phrase matches ``space``."""
        ordered = sorted(self.phrases(*names, languages=languages), key=len, reverse=True)
        return "|".join(space.join(map(re.escape, p.split(" "))) for p in ordered)

    def pattern(
        self, *names: str, space: str = " ", languages: tuple[str, ...] = (), flags: int = 0
    ) -> re.Pattern[str]:
        """Any of the phrases, as whole words."""
        return re.compile(rf"\b(?:{self.alternation(*names, space=space, languages=languages)})\b", flags)


#: The shipped words (read once, when the readers are imported).
WORDS = Words()

_PLURAL_ENDINGS = sorted(WORDS.table("plural_ending").items(), key=lambda pair: -len(pair[0]))
_IRREGULAR = WORDS.table("irregular_plural")


def singular(word: str) -> str:
    """A noun's singular, as far as its ending tells (``plural_ending`` in the words file); a short word only loses a
    final "s" ("bags"), and a word ending in "ss" is left as it is ("glass"); one no ending tells, from its table.
    A possessive is its noun ("the mixer's bowl", "the boots' soles")."""
    word = word.removesuffix("'s").removesuffix("'")
    if word in _IRREGULAR:
        return str(_IRREGULAR[word])
    if not word.endswith("s") or word.endswith("ss") or len(word) < 4:
        return word
    if len(word) == 4:
        return word[:-1]
    ending, single = next((e, s) for e, s in _PLURAL_ENDINGS if word.endswith(e))
    return word[: -len(ending)] + single
