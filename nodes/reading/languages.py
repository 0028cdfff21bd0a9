"""Whether a statement is written in a language the reader claims: text in any other language is unexplained, never
read as saying nothing (issue 57).

The reader claims the languages its lexicon has a file for (:data:`CLAIMED`). A statement is in another language
when its words are common words of that language and not of any claimed one. Word frequencies per language
(``wordfreq``) decide it, word by word: each word counts for every language it is a common word of (Zipf frequency
3 or more, about once in a million words), and the statement goes to the language that holds the largest share of
its words. Letters of another script (Cyrillic, Greek, Arabic, CJK...) are another language outright.

Why not a language identifier: ``lingua-language-detector`` and ``py3langid`` were measured on the short shorthand
staff write (``python3 -m uv run --with lingua-language-detector --with py3langid python bench/languages.py``): they
name Finnish for "ETA 3 wks", Danish for "pls hold", Estonian for "Hi team", Polish for "ETA 3 wks", and a
language identifier always names *some* language, where the question here is only whether the words are ones the
reader knows. Counting known words answers that question and no other.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import cache

from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne
from wordfreq import top_n_list, zipf_frequency

#: The languages the lexicon has a file for (``nodes/reading/lexicon/<code>.toml``).
CLAIMED: tuple[str, ...] = ("en", "de", "fr", "es")
#: Languages met in European business mail that the reader does not claim: a statement's words are weighed against
#: these too (wordfreq's large lists; any language it knows would do, these are the likely ones).
OTHERS: tuple[str, ...] = ("pt", "it", "nl", "pl", "sv", "da", "nb", "fi", "tr", "ro", "cs", "hu", "ca", "id")
#: A word this frequent in a language (Zipf scale: 3 is once per million words) is a common word of it.
COMMON = 3.0
#: The share of its words by which another language must lead the best claimed one, and hold at least.
LEAD, HOLDS = 0.3, 0.6

_WORD = re.compile(r"[^\W\d_]{2,}")


def load() -> None:
    """Read every language's word list now: the missions read inside the graph's event loop, which must not wait on a
    file (``langgraph dev``), and wordfreq reads a list from disk the first time a language is asked."""
    for lang in (*CLAIMED, *OTHERS):
        zipf_frequency("the", lang, wordlist="small")


@cache
def _common_in(word: str) -> frozenset[str]:
    return frozenset(lang for lang in (*CLAIMED, *OTHERS) if zipf_frequency(word, lang, wordlist="small") >= COMMON)


def _script(text: str) -> str | None:
    """The script of most of the text's letters, when it is not Latin ("CYRILLIC", "CJK", "ARABIC", ...)."""
    scripts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            script = name.split(" ")[0] if name else "UNKNOWN"
            script = "CJK" if script in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL") else script
            scripts[script] = scripts.get(script, 0) + 1
    if not scripts:
        return None
    main = max(scripts, key=lambda s: scripts[s])
    return None if main == "LATIN" else main


def _counted(text: str, known: frozenset[str]) -> list[str]:
    """The words that tell a language: not a name the records hold (``known``, folded to lowercase), not a word
    capitalised inside the statement (a name: "I'm Yara Sanchez"), not a short all-capitals abbreviation ("DOA")."""
    counted = []
    for index, match in enumerate(_WORD.finditer(text)):
        word = match.group(0)
        if word.lower() in known or (word.isupper() and len(word) <= 5) or (index and word[0].isupper()):
            continue
        counted.append(word.lower())
    return counted


def unclaimed(text: str, known: frozenset[str] = frozenset()) -> str | None:
    """The language (ISO code) or script a statement is written in when the reader does not claim it; None when it
    is in a claimed language, or says too little to tell: with fewer than three words, it is another language only
    where a word is common in that language and in no claimed one ("não cancelar")."""
    if (script := _script(text)) is not None:
        return script.lower()
    words = _counted(text, known)
    if not words:
        return None
    shares = dict.fromkeys((*CLAIMED, *OTHERS), 0)
    for word in words:
        for lang in _common_in(word):
            shares[lang] += 1
    claimed = max(shares[lang] for lang in CLAIMED)
    other = max(OTHERS, key=lambda lang: shares[lang])
    if len(words) < 3:
        foreign = [w for w in words if _common_in(w) and not _common_in(w) & set(CLAIMED)]
        return other if foreign and len(foreign) >= len(words) - len(foreign) else None
    lead = (shares[other] - claimed) / len(words)
    return other if lead >= LEAD and shares[other] / len(words) >= HOLDS else None


#: A word this frequent in a language the reader does not claim, and not common in one it claims, is that language's
#: own: a function word ("não", "niet", "anzi", "favore"), not a name that happens to be a word there ("Yara": 3.1).
FOREIGN = 4.0
#: A word with what an apostrophe joins to it ("aren't"): one word, never its halves ("aren").
_WHOLE_WORD = re.compile(r"[^\W\d_]{2,}(?:'[^\W\d_]+)*")
_EMAIL = re.compile(r"\S+@\S+")


def foreign_words(text: str) -> tuple[str, ...]:
    """The words of a statement that are frequent words of a language the reader does not claim and common in none it
    claims ("não" in "Por favor, não cancele o pedido"): the statement may say what the reader cannot read, though most
    of its words are ones it knows ("por favor", "pedido", "cancele" are Spanish too). Not counted: a name (a word
    capitalised after the statement's first, or beside another capitalised one: "Yara Ito"), an e-mail's words."""
    words = [m.group(0) for m in _WHOLE_WORD.finditer(_EMAIL.sub(" ", text))]
    found = []
    for index, word in enumerate(words):
        beside = words[index + 1 : index + 2]
        if "'" in word or (word[0].isupper() and (index or (beside and beside[0][0].isupper()))):
            continue
        lower = word.lower()
        if not _common_in(lower) & set(CLAIMED) and any(
            zipf_frequency(lower, lang, wordlist="small") >= FOREIGN for lang in OTHERS
        ):
            found.append(lower)
    if not found:
        return ()
    # a long word one letter from a common word of the statement's own language is its typo ("adress"), not a word
    # of another language that happens to be spelt so (Swedish "adress")
    mostly = max(CLAIMED, key=lambda lang: sum(lang in _common_in(w.lower()) for w in words))
    return tuple(w for w in found if len(w) < TYPO_LENGTH or not _one_letter_from(w, mostly))


#: Words this long may be a typo of a word of the statement's language; shorter ones are taken as written ("anzi").
TYPO_LENGTH = 5
#: How many of a language's commonest words a typo is looked for among.
_TYPO_VOCABULARY = 30_000


@cache
def _common_by_initial(lang: str) -> dict[str, tuple[str, ...]]:
    """A language's commonest words by their first letter (a typo keeps it, as the lexicon's corrections assume)."""
    by_initial: dict[str, list[str]] = defaultdict(list)
    for word in top_n_list(lang, _TYPO_VOCABULARY, wordlist="small"):
        by_initial[word[:1]].append(word)
    return {initial: tuple(words) for initial, words in by_initial.items()}


def _one_letter_from(word: str, lang: str) -> bool:
    """Whether ``word`` is one edit (a letter added, left out, replaced or two swapped: rapidfuzz's optimal string
    alignment, as the lexicon's spelling corrections measure it) from a common word of ``lang``, or is one."""
    near = [w for w in _common_by_initial(lang).get(word[:1], ()) if abs(len(w) - len(word)) <= 1]
    return extractOne(word, near, scorer=OSA.distance, score_cutoff=1) is not None
