"""The reading engine measured against the field's libraries (issue 57): spaCy's blank pipelines (tokenizer,
``Matcher``, ``PhraseMatcher``, lookup lemmas; no trained model) for matching the lexicon's phrases, and medspaCy's
ConText for the scope of negation, hedges, conditions and third parties.

    python3 -m uv run --with spacy --with spacy-lookups-data --with medspacy python bench/reading_libraries.py

The libraries are installed only in that throwaway environment: they are no dependency of the project. Prints
figures (ratios within one run); asserts nothing. ``--examples N`` also prints N disagreements of each kind.

1. **Matching.** Every phrase list of the lexicon (each ``[words]`` category and each kind's cues, actions, objects,
   ...: 320 lists) is translated into spaCy patterns: a plain phrase into a ``PhraseMatcher`` phrase on ``LOWER``, a
   phrase with the lexicon's syntax into ``Matcher`` patterns (``cancel*`` a ``LOWER`` regex, ``{a|b}`` an ``IN``
   set or one pattern per alternative of several words, ``_`` one token, ``~`` up to 3 tokens and ``~~`` up to 8
   that are no denial where the lexicon says so, ``#`` a number, ``$`` a currency). Both read the same folded
   statements of ``evals/reading_data/snippets.tsv`` (what the engine matches: ``Statement.folded``); spaCy's spans
   are reduced as the lexicon's regex reduces them (leftmost, longest phrase first, no overlap). A lemma variant
   matches each plain phrase word by its lookup lemma (spacy-lookups-data's table, folded as the text is).
2. **Scope.** For each labelled fact of the snippets, the kind's cue (its cues, else its actions) in the statement
   that holds the last one; the engine's scope (``offline.scope`` and the statement's ``conditional``, ``hedged`` and
   ``holder`` flags, as ``OfflineReader`` reads them) and ConText, given the lexicon's words as rules with the
   directions the engine gives them, each say what the cue is: negated, hedged, conditional, a third party's or
   affirmed. ConText also runs with its own default rules (English and French; it ships none for de and es).
3. **The lists' share.** The engine reads the whole set twice; the second pass's CPU inside the lexicon's list
   searches is what any faster matcher could save at most (part 1 also times spaCy in part: its PhraseMatcher for
   the plain phrases, the lexicon's regexes for the rest).

``--part matching`` needs spaCy only: ``--with 'spacy>=3.8' --with spacy-lookups-data`` runs it on the spaCy that
works with the project's numpy 2 (medspaCy 1.3.1 pins spaCy < 3.8 on Python 3.11). spaCy and medspaCy are
imported in the functions that use them: the project's environment holds neither, and there the script says how to
run it.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import itertools
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ai_missions.evals.reading import Snippet, score
from ai_missions.evals.reading import load as load_snippets
from ai_missions.nodes.reading.lexicon import (
    _CURRENCY,
    LANGUAGES,
    Lexicon,
    Words,
    _number,
    _split,
    default,
    fold,
    load,
)
from ai_missions.nodes.reading.offline import OfflineReader, scope
from ai_missions.nodes.reading.statements import Statement, _statement, analyse

COMMAND = "python3 -m uv run --with spacy --with spacy-lookups-data --with medspacy python bench/reading_libraries.py"
#: More expansions than this (alternatives of several words multiplied out) and a phrase counts as not translated.
CAP = 256
Token = dict[str, Any]
Pattern = list[Token]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def phrase_lists(lexicon: Lexicon) -> Iterator[tuple[str, Words]]:
    """Every phrase list of the lexicon, named: ``words:<category>`` and ``<kind>:<list>``."""
    for name, words in sorted(lexicon.words.items()):
        yield f"words:{name}", words
    for kind, spec in sorted(lexicon.kinds.items()):
        for field in dataclasses.fields(spec):
            value = getattr(spec, field.name)
            if isinstance(value, Words):
                yield f"{kind}:{field.name}", value
        for method, words in sorted(spec.methods.items()):
            yield f"{kind}:method:{method}", words


# --- 1. the lexicon's phrase syntax as spaCy patterns ---------------------------------------------------------------


class Translator:
    """The lexicon's phrases as spaCy token patterns, tokenized by one blank pipeline."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self.number = _number()

    def tokens(self, word: str) -> list[str]:
        return [t.lower_ for t in self.nlp.make_doc(word)]

    def spellings(self, word: str) -> list[str]:
        """A word's spellings: letters that vary inside it ("withdr{a|e}w") and the lexicon's "ß" ("s" or "ss")."""
        pieces = re.split(r"(\{[^{}]*\})", word)
        options = [p[1:-1].split("|") if p.startswith("{") else [p] for p in pieces]
        out = ["".join(c) for c in itertools.product(*options)]
        return sorted(
            {s for w in out for s in ({w.replace("\x00", "s"), w.replace("\x00", "ss")} if "\x00" in w else {w})}
        )

    def word(self, token: str) -> list[Pattern]:
        """One phrase word: its spellings as ``LOWER`` (one ``IN`` set where each is one token), a word that starts
        or ends so as a ``LOWER`` regex."""
        lead = token.startswith("*") and len(token) > 1
        tail = token.endswith("*") and len(token) > 1
        single: list[str] = []
        out: list[Pattern] = []
        for spelling in self.spellings(token.strip("*")):
            parts = self.tokens(spelling)
            if not parts:
                continue
            if not lead and not tail:
                if len(parts) == 1:
                    single.append(parts[0])
                else:
                    out.append([{"LOWER": p} for p in parts])
                continue
            regex = ("\\w*" if lead else "") + re.escape(parts[-1 if tail else 0]) + ("\\w*" if tail else "")
            if len(parts) == 1:
                single.append(regex)
            elif tail:
                out.append([*({"LOWER": p} for p in parts[:-1]), {"LOWER": {"REGEX": f"^{regex}$"}}])
            else:
                out.append([{"LOWER": {"REGEX": f"^{regex}$"}}, *({"LOWER": p} for p in parts[1:])])
        if single and (lead or tail):
            out.insert(0, [{"LOWER": {"REGEX": "^(?:" + "|".join(single) + ")$"}}])
        elif single:
            out.insert(0, [{"LOWER": single[0] if len(single) == 1 else {"IN": single}}])
        return out

    def unit(self, token: str, stop: str) -> list[Pattern] | str:
        """The alternatives a phrase token stands for (token sequences), or the gap's marker."""
        if token in ("~", "~~"):
            return token
        if token == "_":
            return [[{"TEXT": {"REGEX": r"^[\w'$€£#.,/-]+$"}}]]
        if token == "#":
            return [[{"LOWER": {"REGEX": f"^{self.number}$"}}]]
        if token == "$":
            return [[{"LOWER": {"REGEX": f"^{_CURRENCY}$"}}]]
        if token.startswith("{") and token.endswith("}"):
            options = token[1:-1].split("|")
            out: list[Pattern] = [[]] if "" in options else []
            for option in (o for o in options if o):
                found = self.phrase(option, stop)
                if found is None:
                    continue
                out.extend(found)
            return _merged(out)
        return self.word(token)

    def phrase(self, phrase: str, stop: str = "") -> list[Pattern] | None:
        """A (folded) phrase's patterns, or None where it multiplies out past ``CAP``."""
        gap_word: Token = (
            {"TEXT": {"REGEX": rf"^(?!(?:{stop})(?!\w))[^\s;!?]+$"}} if stop else {"TEXT": {"NOT_IN": [";", "!", "?"]}}
        )
        units = [self.unit(t, stop) for t in _split(phrase)]
        while units and isinstance(units[0], str):
            units.pop(0)  # a gap first or last matches nothing (the lexicon's gap is lazy)
        while units and isinstance(units[-1], str):
            units.pop()
        choices: list[list[Pattern]] = []
        for unit in units:
            if isinstance(unit, str):
                choices.append([[{**gap_word, "OP": "{0,3}" if unit == "~" else "{0,8}"}]])
            else:
                choices.append(unit)
        total = 1
        for choice in choices:
            total *= max(1, len(choice))
        if total > CAP:
            return None
        patterns = [[t for seq in combo for t in seq] for combo in itertools.product(*choices)]
        return [p for p in patterns if p and any(t.get("OP") not in ("?", "{0,3}", "{0,8}") for t in p)] or None


def _merged(alternatives: list[Pattern]) -> list[Pattern]:
    """Alternatives of one plain token each as one ``IN`` set (fewer patterns), the rest as they are."""

    def plain(a: Pattern) -> bool:
        return len(a) == 1 and set(a[0]) == {"LOWER"} and isinstance(a[0]["LOWER"], str)

    words = sorted({a[0]["LOWER"] for a in alternatives if plain(a)})
    if len(words) < 2:
        return alternatives
    return [[{"LOWER": {"IN": words}}], *(a for a in alternatives if not plain(a))]


def _literal(pattern: Pattern) -> list[list[str]] | None:
    """A pattern of plain words only (``LOWER`` values or sets), as the word sequences it stands for: a
    ``PhraseMatcher`` phrase each."""
    words: list[list[str]] = []
    for token in pattern:
        if set(token) != {"LOWER"}:
            return None
        value = token["LOWER"]
        if isinstance(value, str):
            words.append([value])
        elif isinstance(value, dict) and set(value) == {"IN"}:
            words.append(list(value["IN"]))
        else:
            return None
    return [list(c) for c in itertools.product(*words)]


@dataclasses.dataclass
class SpacyMatcher:
    """One language's blank pipeline with every phrase list of the lexicon as patterns."""

    nlp: Any
    matcher: Any
    phrases: Any
    #: match key -> (list name, the phrase's rank in its list: the lexicon tries longer phrases first)
    keys: dict[int, tuple[str, int]]
    counts: Counter[str]
    #: (list name, phrase) of the phrases the PhraseMatcher holds: plain words only
    plain: set[tuple[str, str]]

    @classmethod
    def build(
        cls,
        language: str,
        lists: list[tuple[str, Words]],
        lemmas: dict[str, str] | None = None,
        phrases_only: bool = False,
    ) -> SpacyMatcher:
        import spacy
        from spacy.lookups import Lookups
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.tokens import Doc

        nlp = spacy.blank(language)
        if lemmas is not None:
            # the lookup lemmatizer, its table folded as the text is (the table's own forms keep their accents)
            lookups = Lookups()
            lookups.add_table("lemma_lookup", lemmas)
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"}).lookups = lookups
        translator = Translator(nlp)
        matcher = Matcher(nlp.vocab, validate=False)
        phrases = PhraseMatcher(nlp.vocab, attr="LEMMA" if lemmas is not None else "LOWER")
        keys: dict[int, tuple[str, int]] = {}
        counts: Counter[str] = Counter()
        plain: set[tuple[str, str]] = set()
        for name, words in lists:
            ordered = sorted(words.phrases, key=lambda p: -len(p))
            for rank, phrase in enumerate(ordered):
                counts["phrases"] += 1
                patterns = translator.phrase(fold(phrase.replace("ß", "\x00")), words.stop)
                if patterns is None:
                    counts["not translated"] += 1
                    continue
                key = f"{name}\t{rank}"
                keys[nlp.vocab.strings.add(key)] = (name, rank)
                literal = [w for p in patterns for w in (_literal(p) or [[]])]
                if all(_literal(p) is not None for p in patterns) and len(literal) <= CAP:
                    counts["PhraseMatcher"] += 1
                    plain.add((name, phrase))
                    docs = [Doc(nlp.vocab, words=ws) for ws in literal]
                    if lemmas is not None:
                        for doc in docs:
                            for token in doc:
                                token.lemma_ = lemmas.get(token.lower_, token.lower_)
                    phrases.add(key, docs)
                elif not phrases_only:
                    counts["Matcher"] += 1
                    counts["Matcher patterns"] += len(patterns)
                    matcher.add(key, [_by_lemma(p, lemmas) for p in patterns] if lemmas is not None else patterns)
        return cls(nlp, matcher, phrases, keys, counts, plain)

    def spans(self, doc: Any, phrases_only: bool = False) -> dict[str, list[tuple[int, int]]]:
        """Each list's spans (characters) in a tokenized text, reduced as the lexicon's regex reduces them."""
        found: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for key, start, end in [*([] if phrases_only else self.matcher(doc)), *self.phrases(doc)]:
            name, rank = self.keys[key]
            span = doc[start:end]
            found[name].append((span.start_char, rank, span.end_char))
        out: dict[str, list[tuple[int, int]]] = {}
        for name, matches in found.items():
            kept: list[tuple[int, int]] = []
            for start, _, end in sorted(matches):
                if not kept or start >= kept[-1][1]:
                    kept.append((start, end))
            out[name] = kept
        return out


def _by_lemma(pattern: Pattern, lemmas: dict[str, str]) -> Pattern:
    """A pattern whose plain words match by their lookup lemma (``cancelled`` by ``cancel``)."""
    out = []
    for token in pattern:
        value = token.get("LOWER")
        rest = {k: v for k, v in token.items() if k != "LOWER"}
        if isinstance(value, str):
            token = {**rest, "LEMMA": lemmas.get(value, value)}
        elif isinstance(value, dict) and set(value) == {"IN"}:
            token = {**rest, "LEMMA": {"IN": sorted({lemmas.get(v, v) for v in value["IN"]})}}
        out.append(token)
    return out


def folded_lemmas(language: str) -> dict[str, str]:
    """spacy-lookups-data's lookup lemma table for a language, folded as the engine folds text (lowercase, no
    accents): the first of two forms that fold alike wins."""
    import srsly
    from spacy_lookups_data import get_file

    table = srsly.read_gzip_json(get_file(f"{language}_lemma_lookup.json.gz"))
    out: dict[str, str] = {}
    for form, lemma in table.items():
        out.setdefault(fold(form), fold(lemma if isinstance(lemma, str) else lemma[0]))
    return out


# --- statements ----------------------------------------------------------------------------------------------------


def statements(snippets: list[Snippet]) -> list[tuple[str, Statement]]:
    """The body statements of every snippet, with the snippet's language."""
    return [(s.language, st) for s in snippets for st in analyse(s.text) if st.body]


def _lexicon_spans(lists: list[tuple[str, Words]], folded: str) -> dict[str, list[tuple[int, int]]]:
    out = {}
    for name, words in lists:
        spans = words.spans(folded)
        if spans:
            out[name] = spans
    return out


def matching(args: argparse.Namespace, snippets: list[Snippet]) -> None:
    import spacy

    print("== 1. Matching: the lexicon's compiled patterns against spaCy's blank tokenizer + Matcher/PhraseMatcher")
    print(f"spaCy {spacy.__version__}; {len(snippets)} snippets")
    loads = {which: _child_load(which) for which in ("lexicon", "spacy", "spacy-lemma", "in-part")}
    lexicon = load()
    lists = list(phrase_lists(lexicon))
    for _, words in lists:
        _ = words.pattern  # compiled now, outside the timed matching
    read = statements(snippets)
    print(f"{len(lists)} phrase lists, {sum(len(w.phrases) for _, w in lists):,} phrases; {len(read)} statements")

    by_language: dict[str, SpacyMatcher] = {}
    lemma_matchers: dict[str, SpacyMatcher] = {}
    for language in LANGUAGES:
        by_language[language] = SpacyMatcher.build(language, lists)
        lemma_matchers[language] = SpacyMatcher.build(language, lists, folded_lemmas(language))
    counts = by_language["en"].counts
    translated = counts["phrases"] - counts["not translated"]
    print(
        f"translated: {translated:,} of {counts['phrases']:,} phrases ({translated / counts['phrases']:.1%}); "
        f"{counts['PhraseMatcher']:,} as PhraseMatcher phrases, {counts['Matcher']:,} as Matcher rules "
        f"({counts['Matcher patterns']:,} token patterns); {counts['not translated']} multiply out past {CAP} patterns"
    )

    # CPU: every list on every statement, both ways (best of 3 rounds each)
    def lexicon_round() -> list[dict[str, list[tuple[int, int]]]]:
        return [_lexicon_spans(lists, st.folded) for _, st in read]

    def tokenize_round() -> list[Any]:
        return [by_language[lang].nlp.make_doc(st.folded) for lang, st in read]

    def spacy_round(docs: list[Any]) -> list[dict[str, list[tuple[int, int]]]]:
        return [by_language[lang].spans(doc) for (lang, _), doc in zip(read, docs, strict=True)]

    def raw_round(docs: list[Any], which: str) -> int:
        """spaCy's own matching alone (one of its two matchers): the matches, not yet reduced to each list's spans."""
        return sum(len(getattr(by_language[lang], which)(doc)) for (lang, _), doc in zip(read, docs, strict=True))

    def part_round() -> list[dict[str, list[tuple[int, int]]]]:
        """Adopting in part: spaCy's tokenizer and PhraseMatcher for the plain phrases, the lexicon's regexes for
        the phrases that use its syntax (a list's spans from both, leftmost and longest first, no overlap)."""
        out = []
        for lang, st in read:
            m = by_language[lang]
            found = m.spans(m.nlp.make_doc(st.folded), phrases_only=True)
            for name, spans in _lexicon_spans(syntax_lists, st.folded).items():
                kept: list[tuple[int, int]] = []
                for start, end in sorted([*found.get(name, []), *spans], key=lambda s: (s[0], -s[1])):
                    if not kept or start >= kept[-1][1]:
                        kept.append((start, end))
                found[name] = kept
            out.append(found)
        return out

    def lemma_round() -> list[dict[str, list[tuple[int, int]]]]:
        out = []
        for lang, st in read:
            m = lemma_matchers[lang]
            out.append(m.spans(m.nlp(st.folded)))
        return out

    # adopting in part: the plain phrases in the PhraseMatcher, the lexicon's regexes for the rest only
    plain = by_language["en"].plain
    plain_lists = [(n, Words([p for p in w.phrases if (n, p) in plain], w.stop)) for n, w in lists]
    syntax_lists = [(n, Words([p for p in w.phrases if (n, p) not in plain], w.stop)) for n, w in lists]
    for _, words in [*plain_lists, *syntax_lists]:
        _ = words.pattern

    docs = tokenize_round()
    timing: dict[str, float] = {}
    for name, run in (
        ("lexicon", lexicon_round),
        ("tokenizer", tokenize_round),
        ("tokenizer+matchers", lambda: spacy_round(tokenize_round())),
        ("  of which the PhraseMatcher", lambda: raw_round(docs, "phrases")),
        ("  of which the Matcher", lambda: raw_round(docs, "matcher")),
        ("tokenizer+lemmas+matchers", lemma_round),
        ("lexicon, plain phrases only", lambda: [_lexicon_spans(plain_lists, st.folded) for _, st in read]),
        ("lexicon, syntax phrases only", lambda: [_lexicon_spans(syntax_lists, st.folded) for _, st in read]),
        ("in part: tokenizer+PhraseMatcher, lexicon syntax", part_round),
    ):
        best = float("inf")
        for _ in range(args.rounds):
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
        timing[name] = best * 1000 / len(read)  # ms of CPU per statement = s per 1,000 statements
    lexicon_found = lexicon_round()
    spacy_found = spacy_round(tokenize_round())
    lemma_found = lemma_round()
    part_found = part_round()

    print(f"\nCPU per 1,000 statements (every list on every statement; best of {args.rounds} rounds):")
    base = timing["lexicon"]
    for name, seconds in timing.items():
        print(f"  {name:48} {seconds:7.2f} s   {seconds / base:5.2f}x the lexicon")
    print("\nLoad (a fresh process each: import, then build every list's patterns; RSS growth):")
    for which, figures in loads.items():
        print(
            f"  {which:12} import {figures['import_s']:5.2f} s, build {figures['build_s']:6.2f} s CPU, "
            f"RSS +{figures['import_mb']:5.0f} MB import, +{figures['build_mb']:5.0f} MB build"
        )
    lex_total = loads["lexicon"]["import_s"] + loads["lexicon"]["build_s"]
    sp_total = loads["spacy"]["import_s"] + loads["spacy"]["build_s"]
    lex_mb = loads["lexicon"]["import_mb"] + loads["lexicon"]["build_mb"]
    sp_mb = loads["spacy"]["import_mb"] + loads["spacy"]["build_mb"]
    part_total = loads["in-part"]["import_s"] + loads["in-part"]["build_s"]
    part_mb = loads["in-part"]["import_mb"] + loads["in-part"]["build_mb"]
    print(f"  spaCy / lexicon: {sp_total / lex_total:.2f}x the load CPU, {sp_mb / lex_mb:.2f}x the memory")
    print(f"  in part / lexicon: {part_total / lex_total:.2f}x the load CPU, {part_mb / lex_mb:.2f}x the memory")

    print("\nAgreement on the statements (a list's spans in one statement):")
    for label, other in (("LOWER", spacy_found), ("LEMMA", lemma_found), ("in part", part_found)):
        agreement(label, read, lexicon_found, other, args.examples)


def agreement(
    label: str,
    read: list[tuple[str, Statement]],
    ours: list[dict[str, list[tuple[int, int]]]],
    theirs: list[dict[str, list[tuple[int, int]]]],
    examples: int,
) -> None:
    pairs = found_ours = found_theirs = both = same = 0
    spans_ours = spans_theirs = spans_same = 0
    by_language: dict[str, Counter[str]] = defaultdict(Counter)
    only_ours: list[tuple[str, str, str]] = []
    only_theirs: list[tuple[str, str, str]] = []
    for (lang, st), a, b in zip(read, ours, theirs, strict=True):
        for name in set(a) | set(b):
            pairs += 1
            x, y = a.get(name, []), b.get(name, [])
            found_ours += bool(x)
            found_theirs += bool(y)
            both += bool(x) and bool(y)
            same += x == y
            spans_ours += len(x)
            spans_theirs += len(y)
            spans_same += len(set(x) & set(y))
            c = by_language[lang]
            c["pairs"] += 1
            c["same"] += x == y
            c["both"] += bool(x) and bool(y)
            for s, e in set(x) - set(y):
                only_ours.append((name, st.folded, st.folded[s:e]))
            for s, e in set(y) - set(x):
                only_theirs.append((name, st.folded, st.folded[s:e]))
    print(
        f"  {label}: {pairs:,} (statement, list) pairs where either found something; found by both {both:,} "
        f"({both / pairs:.1%}), only the lexicon {found_ours - both:,}, only spaCy {found_theirs - both:,}; "
        f"the same spans {same:,} ({same / pairs:.1%})"
    )
    print(
        f"        spans: lexicon {spans_ours:,}, spaCy {spans_theirs:,}, the same {spans_same:,} "
        f"({spans_same / max(spans_ours, 1):.1%} of the lexicon's)"
    )
    print(
        "        by language, the same spans: "
        + ", ".join(f"{lang} {c['same'] / c['pairs']:.1%} of {c['pairs']:,}" for lang, c in sorted(by_language.items()))
    )
    if examples:
        for title, rows in (("only the lexicon", only_ours), ("only spaCy", only_theirs)):
            causes = Counter(name for name, _, _ in rows)
            print(f"        {title}: {len(rows)} spans; lists most often: {causes.most_common(6)}")
            for name, text, words in rows[:: max(1, len(rows) // examples)][:examples]:
                print(f"          {name:32} {words!r:28} in {text[:90]!r}")


def _child_load(which: str) -> dict[str, float]:
    """Load time and memory of one side, in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--child-load", which], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def child_load(which: str) -> None:
    rss0, t0 = _rss_mb(), time.process_time()
    if which == "lexicon":  # its module is imported with this file: its import is not counted
        rss1, t1 = _rss_mb(), time.process_time()
        lexicon = load()
        for _, words in phrase_lists(lexicon):
            _ = words.pattern
    else:
        import spacy.matcher  # noqa: F401

        rss1, t1 = _rss_mb(), time.process_time()
        lexicon = load()
        lists = list(phrase_lists(lexicon))
        plain: set[tuple[str, str]] = set()
        for language in LANGUAGES:
            lemmas = folded_lemmas(language) if which == "spacy-lemma" else None
            plain = SpacyMatcher.build(language, lists, lemmas, phrases_only=which == "in-part").plain
        if which == "in-part":  # the lexicon's regexes for the phrases the PhraseMatcher does not hold
            for name, words in lists:
                _ = Words([p for p in words.phrases if (name, p) not in plain], words.stop).pattern
    print(
        json.dumps(
            {
                "import_s": t1 - t0,
                "build_s": time.process_time() - t1,
                "import_mb": rss1 - rss0,
                "build_mb": _rss_mb() - rss1,
            }
        )
    )


# --- 2. scope ------------------------------------------------------------------------------------------------------

CLASSES = ("affirmed", "negated", "hedged", "conditional", "third_party")
#: ConText categories as the engine's polarities (the French default rules say UNCERTAIN and CONDITIONAL).
CONTEXT_CLASS = {
    "NEGATED_EXISTENCE": "negated",
    "NOT_CHOSEN": "negated",
    "UNDONE": "negated",
    "POSSIBLE_EXISTENCE": "hedged",
    "UNCERTAIN": "hedged",
    "HYPOTHETICAL": "conditional",
    "CONDITIONAL": "conditional",
    "FAMILY": "third_party",
}
#: The engine's order when a statement says several: a third party's words are not the writer's at all; then a
#: condition, a denial, a hedge (``OfflineReader._statement``).
PRECEDENCE = ("third_party", "conditional", "negated", "hedged")

#: The lexicon's lists as ConText rules: (list, category, direction, scope), as the engine reads them. Negation
#: reaches the cue's part of the statement (both ways, cut at punctuation, "and", a reason); a denial "before" binds
#: what follows it; a condition, a hedge, a third party are the whole statement's.
RULES = (
    ("negation", "NEGATED_EXISTENCE", "BIDIRECTIONAL", "part"),
    ("retract", "NEGATED_EXISTENCE", "BIDIRECTIONAL", "part"),
    ("mistake", "NEGATED_EXISTENCE", "BIDIRECTIONAL", "part"),
    ("before_negation", "NEGATED_EXISTENCE", "FORWARD", "3"),
    # categories of their own: ConText cuts a modifier's scope at the next one of its category, and an undoing verb
    # is often the cue itself ("no quiero cancelar": "cancelar" would end the scope of "no" before the cue)
    ("instead", "NOT_CHOSEN", "FORWARD", "part"),
    ("undo", "UNDONE", "BIDIRECTIONAL", "part"),
    ("hedge", "POSSIBLE_EXISTENCE", "BIDIRECTIONAL", "statement"),
    ("qualifier", "POSSIBLE_EXISTENCE", "BIDIRECTIONAL", "statement"),
    ("condition", "HYPOTHETICAL", "BIDIRECTIONAL", "statement"),
    ("otherwise", "HYPOTHETICAL", "BIDIRECTIONAL", "statement"),
    ("third_party", "FAMILY", "BIDIRECTIONAL", "statement"),
    # what looks like a cue word but is none: pseudo-modifiers, which win over a shorter modifier inside them
    ("not_negation", "PSEUDO", "PSEUDO", "statement"),
    ("not_hedge", "PSEUDO", "PSEUDO", "statement"),
    ("polite", "PSEUDO", "PSEUDO", "statement"),
    ("concessive", "PSEUDO", "PSEUDO", "statement"),
    ("grateful_if", "PSEUDO", "PSEUDO", "statement"),
    # where a negation's part ends: a modifier of its own category that only negations stop at
    ("clause_joiner", "PART_END", "PSEUDO", "statement"),
    ("reason", "PART_END", "PSEUDO", "statement"),
)
PART_ENDS = [",", ";", ":", "(", ")", "-", "->", "→", "=>", "&", "/"]


@dataclasses.dataclass(frozen=True)
class Case:
    language: str
    label: str
    kind: str
    text: str
    statement: Statement
    cue: tuple[int, int]


def cases(snippets: list[Snippet], lexicon: Lexicon) -> tuple[list[Case], Counter[str]]:
    """Each labelled fact with its kind's last cue; a label "none" counts as a third party's where the cue's
    statement names one (the lexicon's ``third_party`` words): "my neighbour refused her parcel", "según el
    repartidor, entrega rechazada"; other "none" labels state no polarity and are left out."""
    out: list[Case] = []
    skipped: Counter[str] = Counter()
    for snippet in snippets:
        read = [st for st in analyse(snippet.text, lexicon) if st.body]
        for kind, (label, _) in sorted(snippet.labels.items()):
            words = lexicon.kinds.get(kind)
            found = None
            for st in read if words is not None else []:
                spans = words.cues.spans(st.folded) or words.actions.spans(st.folded)
                if spans:
                    found = (st, spans[-1])
            if found is None:
                skipped[f"{label}: no cue"] += 1
                continue
            st, cue = found
            if label == "none":
                if lexicon["third_party"].search(st.folded) is None:
                    skipped["none: no third party"] += 1
                    continue
                label = "third_party"
            out.append(Case(snippet.language, label, kind, snippet.text, st, cue))
    return out, skipped


def engine_polarity(case: Case, lexicon: Lexicon) -> str:
    """What the engine's scope says of the cue: the statement's holder and flags, and ``offline.scope``. The
    statement is read again here (all its fields, more than scope needs), so that its CPU is counted."""
    st = case.statement
    st = _statement(st.index, st.text, st.start, st.folded, st.region, st.sentence, lexicon)
    said = {
        "third_party": st.holder == "third_party",
        "conditional": st.conditional,
        "negated": scope(st.folded, [case.cue], lexicon) == "negated",
        "hedged": st.hedged,
    }
    return next((c for c in PRECEDENCE if said[c]), "affirmed")


class ConTextScope:
    """medspaCy's ConText over a statement's folded text, the cue as its one target."""

    def __init__(self, language: str, lexicon: Lexicon | None) -> None:
        import spacy
        from medspacy.context import ConTextRule  # the module registers the medspacy_context factory

        self.nlp = spacy.blank(language)
        if lexicon is None:
            self.context = self.nlp.add_pipe("medspacy_context", config={"rules": "default", "language_code": language})
            self.rules = len(self.context.rules)
            return
        self.context = self.nlp.add_pipe("medspacy_context", config={"rules": None, "prune_on_target_overlap": True})
        translator = Translator(self.nlp)
        rules = []
        for name, category, direction, reach in RULES:
            words = lexicon[name]
            for phrase in words.phrases:
                for pattern in translator.phrase(fold(phrase.replace("ß", "\x00")), words.stop) or []:
                    rules.append(
                        ConTextRule(
                            f"{name}:{phrase}",
                            category,
                            pattern=pattern,
                            direction=direction,
                            max_scope=int(reach) if reach.isdigit() else None,
                            terminated_by={"PART_END"} if reach == "part" else None,
                        )
                    )
        for mark in PART_ENDS:
            rules.append(ConTextRule(mark, "PART_END", pattern=[{"ORTH": mark}], direction="PSEUDO"))
        self.context.add(rules)
        self.rules = len(rules)

    def polarity(self, text: str, cue: tuple[int, int]) -> str:
        doc = self.nlp.make_doc(text)
        target = doc.char_span(*cue, label="CUE", alignment_mode="expand")
        if target is None:
            return "affirmed"
        doc.ents = [target]
        for i, token in enumerate(doc):
            token.is_sent_start = i == 0
        doc = self.context(doc)
        said = {CONTEXT_CLASS.get(m.category) for m in doc.ents[0]._.modifiers}
        return next((c for c in PRECEDENCE if c in said), "affirmed")


def scoping(args: argparse.Namespace, snippets: list[Snippet]) -> None:
    import medspacy

    print(f"\n== 2. Scope: the engine's against medspaCy {medspacy.__version__} ConText, per label and language")
    lexicon = load()
    for source in (lexicon, default()):  # compiled before any timing (the engine's helpers read the default one)
        for _, words in phrase_lists(source):
            _ = words.pattern
    found, skipped = cases(snippets, lexicon)
    print(f"{len(found)} labelled facts with a cue; left out: {dict(sorted(skipped.items()))}")
    readers: dict[str, dict[str, Any]] = {"engine": {}, "ConText, lexicon rules": {}, "ConText, default rules": {}}
    t0 = time.process_time()
    for language in LANGUAGES:
        readers["ConText, lexicon rules"][language] = ConTextScope(language, lexicon)
    build = time.process_time() - t0
    for language in ("en", "fr"):
        readers["ConText, default rules"][language] = ConTextScope(language, None)
    print(
        "ConText rules from the lexicon: "
        + ", ".join(f"{lang} {r.rules:,}" for lang, r in readers["ConText, lexicon rules"].items())
        + f" (built in {build:.1f} s CPU); default rules: "
        + ", ".join(f"{lang} {r.rules:,}" for lang, r in readers["ConText, default rules"].items())
        + " (none shipped for de, es)"
    )
    results: dict[str, dict[tuple[str, str], Counter[str]]] = {r: defaultdict(Counter) for r in readers}
    cpu: dict[str, float] = Counter()
    wrong: dict[str, list[tuple[Case, str]]] = defaultdict(list)
    for case in found:
        for reader, per_language in readers.items():
            t = time.process_time()
            if reader == "engine":
                said = engine_polarity(case, lexicon)
            elif case.language in per_language:
                said = per_language[case.language].polarity(case.statement.folded, case.cue)
            else:
                continue
            cpu[reader] += time.process_time() - t
            counts = results[reader][(case.language, case.label)]
            counts["n"] += 1
            counts["right"] += said == case.label
            counts["not affirmed"] += said != "affirmed"
            if said != case.label:
                wrong[reader].append((case, said))
    print("\nRight polarity for the kind's cue (right / labelled; for the classes that are not affirmed, also how")
    print("many were read as not affirmed, the safe side):")
    header = f"  {'reader':24} {'language':8} " + " ".join(f"{c:>16}" for c in CLASSES) + f" {'all':>10}"
    print(header)
    for reader, table in results.items():
        for language in (*LANGUAGES, "all"):
            cells = []
            total = Counter()
            for label in CLASSES:
                c = Counter()
                for (lang, lab), counts in table.items():
                    if lab == label and language in ("all", lang):
                        c.update(counts)
                total.update(c)
                if not c["n"]:
                    cells.append(f"{'-':>16}")
                elif label == "affirmed":
                    cells.append(f"{c['right']:>4}/{c['n']:<4}{'':8}")
                else:
                    cells.append(f"{c['right']:>4}/{c['n']:<4}({c['not affirmed']:>3}) ")
            if not total["n"]:
                continue
            print(f"  {reader:24} {language:8} " + " ".join(cells) + f" {total['right'] / total['n']:>9.1%}")
    n = len(found)
    print(
        "\nCPU per 1,000 cues: "
        + ", ".join(f"{reader} {cpu[reader] * 1000 / n:.2f} s" for reader in readers if reader in cpu)
        + " (the engine: the statement's flags, all of them, and scope)"
    )
    engine_wrong = {id(case): said for case, said in wrong["engine"]}
    context_wrong = {id(case): said for case, said in wrong["ConText, lexicon rules"]}
    both = set(engine_wrong) & set(context_wrong)
    print(
        f"Engine and ConText (lexicon rules) wrong on the same cue: {len(both)}; only the engine: "
        f"{len(set(engine_wrong) - both)}; only ConText: {len(set(context_wrong) - both)}"
    )
    if args.examples:
        for title, ids in (
            ("only the engine wrong", set(engine_wrong) - both),
            ("only ConText wrong", set(context_wrong) - both),
            ("both wrong", both),
        ):
            print(f"  {title}:")
            shown = [c for c in found if id(c) in ids]
            for case in shown[:: max(1, len(shown) // args.examples)][: args.examples]:
                words = case.statement.folded[slice(*case.cue)]
                said = f"{engine_wrong.get(id(case), case.label)}/{context_wrong.get(id(case), case.label)}"
                print(f"    {case.label:>11} read {said:23} cue {words!r:18} {case.statement.folded[:80]!r}")


# --- 3. what matching weighs in the engine's reading ----------------------------------------------------------------


def engine_share(snippets: list[Snippet]) -> None:
    """The engine's reading of the whole set (``OfflineReader``, as ``missions eval reading --part all`` scores it),
    and how much of its CPU the lexicon's list searches take: what a faster matcher could save at most."""
    print("\n== 3. The lists' share of the engine's reading (OfflineReader on every snippet)")
    reader = OfflineReader()
    start = time.process_time()
    score(snippets, reader)
    cold = time.process_time() - start
    spent = [0.0]
    finditer, search = Words.finditer, Words.search

    def timed_finditer(self: Words, folded: str, start: int = 0, end: int | None = None) -> Iterator[Any]:
        t = time.process_time()
        found = list(finditer(self, folded, start, end))  # the regex works while the iterator is read
        spent[0] += time.process_time() - t
        return iter(found)

    def timed_search(self: Words, folded: str, start: int = 0, end: int | None = None) -> Any:
        t = time.process_time()
        found = search(self, folded, start, end)
        spent[0] += time.process_time() - t
        return found

    Words.finditer, Words.search = timed_finditer, timed_search  # type: ignore[method-assign]
    try:
        start = time.process_time()
        score(snippets, reader)
        warm = time.process_time() - start
    finally:
        Words.finditer, Words.search = finditer, search  # type: ignore[method-assign]
    print(
        f"first pass {cold:.2f} s CPU (loads the model, compiles the lists it uses); second pass {warm:.2f} s, of "
        f"which {spent[0]:.2f} s ({spent[0] / warm:.0%}) in Words.finditer/search (a list built into another "
        "regex is not counted)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("all", "matching", "scope", "share"), default="all")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--examples", type=int, default=0)
    parser.add_argument("--child-load", choices=("lexicon", "spacy", "spacy-lemma", "in-part"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_load:
        child_load(args.child_load)
        return
    needs = {"matching": ("spacy", "spacy_lookups_data"), "scope": ("spacy", "medspacy"), "share": ()}
    wanted = needs.get(args.part, ("spacy", "spacy_lookups_data", "medspacy"))
    missing = [name for name in wanted if importlib.util.find_spec(name) is None]
    if missing:
        # ``make bench`` runs every benchmark in the project's environment, which holds none of these on purpose
        print(f"not installed here: {', '.join(missing)}; run: {COMMAND}")
        return
    snippets = load_snippets()
    print(f"load average at the start: {os.getloadavg()[0]:.1f} (2 cores: CPU figures are CPU time, not wall time)")
    if args.part in ("all", "matching"):
        matching(args, snippets)
    if args.part in ("all", "scope"):
        scoping(args, snippets)
    if args.part in ("all", "share"):
        engine_share(snippets)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
