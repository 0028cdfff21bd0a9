"""Plain text for what reaches a customer: no links, no markup, no control characters.

Names and other customer-supplied fields come from outside (a sign-up form, a CRM record, an e-mail header): a name
like ``http://evil.example/x Smith`` or ``<b>x</b> Smith`` must not be greeted verbatim in a reply that carries
the company's name. :func:`display_name` keeps the plain words of a name; :func:`plain_text_problems` says why a
text is not plain, and the guard refuses any action reaching outside the company whose text is not (so a
reviewer's edit, or a model's draft, is held to the same rule as the templates).

Look-alikes are not plain either: a name like ``evil.cоm`` (its ``о`` Cyrillic) greets a customer with what reads as
a link. A domain in any script (an internationalised one, ``пример.рф``) is a link; a word that mixes scripts the way
no one writes (Latin with Cyrillic or Greek; Japanese's Han, Hiragana and Katakana, or Korean's Han and Hangul, with
Latin, are how people write) is a look-alike, after Unicode's "highly restrictive" profile (UTS #39); and so are the
compatibility forms of letters and digits (fullwidth ``Ｐaypal``, mathematical ``𝐏𝐚𝐲𝐩𝐚𝐥``). A word of one script
every letter of which reads as a Latin one (``Hi ᏢᎪᎽᏢᎪᏞ,``: Cherokee that reads PAYPAL, a whole-script confusable
in UTS #39's words) is one too, unless the text is written in that script: another of its words shows it, with
letters no Latin one looks like (a Russian reply's ``сор`` is a Russian word; so is ``Вера`` in ``Вера Иванова``,
while ``Вера`` alone, reading ``Bepa``, is not greeted). A link is read as IDNA reads it: the ideographic and
fullwidth full stops are label separators (``evil。com``, ``paypal-help．example``), except where one ends a
Chinese, Japanese or Korean sentence. Each character's script and look-alikes come from the
``confusable_homoglyphs`` package's Unicode tables (the standard library has no script property), read on the first
check.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

#: Characters a message may carry that Unicode files as control characters: line breaks and tabs.
_LAYOUT = frozenset("\n\t")
#: Unicode categories that never belong in a message: controls (NUL, BEL, ESC...), format characters (the bidi
#: overrides U+202A-U+202E and isolates U+2066-U+2069, zero-width characters), surrogates, and the line and
#: paragraph separators (a line break a reader's client may honour where the reviewer saw none).
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

#: A link: any ``scheme://``, a scheme that runs or sends something without slashes, or ``www.``.
_SCHEME = re.compile(r"\b[a-z][a-z0-9+.\-]*://|\b(?:mailto|javascript|vbscript):|\bdata:\w+/|\bwww\.", re.I)
#: A bare domain (``evil.example``, ``pay.evil.co.uk/x``, ``пример.рф``): labels of letters (of any script), digits and
#: hyphens, a top-level label of letters only. Amounts (``1,234.56``) and initials (``J.``) are not.
_DOMAIN = re.compile(r"\b(?:[^\W_](?:[\w\-]{0,61}[^\W_])?\.)+[^\W\d_]{2,24}\b|\S+@\S+\.\S+", re.I)
#: Markup: an HTML/XML tag, comment or entity, or a Markdown link or image.
_MARKUP = re.compile(r"<\s*/?\s*[a-z!?][^>]*>|<\s*/?\s*[a-z]|&#?\w+;|!?\[[^\]]*\]\([^)]*\)", re.I)
#: A word of a plain name: letters and combining marks, joined by apostrophes, hyphens or an initial's period.
_NAME_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-.])*", re.UNICODE)

#: The longest display name kept (a name is a greeting, not a paragraph).
NAME_CHARS = 60


def is_control(char: str) -> bool:
    """A character no customer-facing text may carry (line breaks and tabs are layout, not control)."""
    return char not in _LAYOUT and unicodedata.category(char) in _CONTROL_CATEGORIES


def plain_text_problems(text: str, *, within: str | None = None) -> list[str]:
    """Why ``text`` is not plain text fit to reach a customer (empty when it is); ``within``: the whole text it is a
    part of (a word of a name), which says what scripts the text is written in."""
    problems: list[str] = []
    if controls := sorted({f"U+{ord(c):04X}" for c in text if is_control(c)}):
        problems.append(f"carries control characters ({', '.join(controls[:5])})")
    read = as_idna_reads(text)
    if link := _SCHEME.search(text) or _DOMAIN.search(text):
        problems.append(f"carries a link ({link.group(0)[:40]!r})")
    elif read != text and (link := _SCHEME.search(read) or _DOMAIN.search(read)):
        problems.append(f"carries a link ({link.group(0)[:40]!r}, as IDNA reads its full stops)")
    if markup := _MARKUP.search(text):
        problems.append(f"carries markup ({markup.group(0)[:40]!r})")
    problems += lookalike_problems(text, within=within)
    return problems


#: Scripts that one word may mix (UTS #39, "highly restrictive"): how Japanese, Chinese and Korean are written.
_WRITTEN_TOGETHER = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
#: Not a script of their own: punctuation, digits, combining marks.
_NEUTRAL = frozenset({"COMMON", "INHERITED"})


#: What IDNA (UTS #46) maps to a label separator, so ``evil。com`` and ``paypal-help．example`` are read as domains:
#: the ideographic, fullwidth and halfwidth ideographic full stops.
_IDNA_DOTS = frozenset("\u3002\uff0e\uff61")
#: Scripts whose sentences end with the ideographic full stop, written with no space after it.
_CJK = frozenset({"HAN", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})
#: The fewest letters of a word read as another script's word (``ᏢᎪᎽᏢᎪᏞ`` for PAYPAL); shorter ones are everyday
#: words of their own script (the Russian ``а``, ``с``, ``о``).
_WHOLE_SCRIPT_MIN = 3


def as_idna_reads(text: str) -> str:
    """``text`` with each full stop IDNA maps to ``.`` read as one (a browser or a mail client resolves
    ``evil。com`` as ``evil.com``), except where it ends a sentence of Chinese, Japanese or Korean (after a Han,
    kana or Hangul character, with no Latin letter after it)."""
    if not _IDNA_DOTS.intersection(text):
        return text
    read = []
    for i, char in enumerate(text):
        if char in _IDNA_DOTS:
            before, after = text[i - 1 : i], text[i + 1 : i + 2]
            ends_sentence = bool(before) and _script(before) in _CJK and not (after.isascii() and after.isalpha())
            read.append(char if ends_sentence else ".")
        else:
            read.append(char)
    return "".join(read)


def lookalike_problems(text: str, *, within: str | None = None) -> list[str]:
    """Why ``text`` may show a customer something it is not: a word mixing scripts no one writes together, a word
    of another script every letter of which reads as a Latin one (``Hi ᏢᎪᎽᏢᎪᏞ,``: Cherokee reading PAYPAL) where
    nothing else in the text is written in that script, or letters in a compatibility form (empty when none)."""
    problems: list[str] = []
    if compat := next((c for c in text if c.isalnum() and unicodedata.normalize("NFKC", c) != c), None):
        problems.append(f"carries look-alike letters (U+{ord(compat):04X}, a compatibility form of {_nfkc(compat)!r})")
    words = [w for w in text.split() if not w.isascii()]
    for word in words:
        scripts = frozenset(_script(c) for c in word if c.isalpha()) - _NEUTRAL
        if len(scripts) > 1 and not any(scripts <= allowed for allowed in _WRITTEN_TOGETHER):
            names = " and ".join(sorted(s.title() for s in scripts))
            problems.append(f"mixes scripts in one word ({names} in {word[:40]!r}): a look-alike")
            return problems
    context = words if within is None else [w for w in within.split() if not w.isascii()]
    written = {script for w in context if (script := _own_script(w))}  # what the text is written in
    for word in words:
        letters = [c for c in word if c.isalpha()]
        script = _script(letters[0]) if letters else "LATIN"
        if (
            script not in ("LATIN", *_NEUTRAL)
            and script not in written
            and len(letters) >= _WHOLE_SCRIPT_MIN
            and all(_reads_as_latin(c) for c in letters)
        ):
            latin = "".join(_reads_as_latin(c) or "" for c in letters)
            problems.append(f"reads as the Latin {latin!r} in {script.title()} letters ({word[:40]!r}): a look-alike")
            break
    return problems


def _own_script(word: str) -> str | None:
    """The script a word shows itself written in: at least two of its letters, and a quarter of them, are letters
    no Latin one looks like (``Морозова``; not ``Вера``, which reads as ``Bepa``, nor a lone ``Ꮳ``)."""
    letters = [c for c in word if c.isalpha()]
    own = [c for c in letters if not _reads_as_latin(c)]
    return _script(own[0]) if len(own) >= 2 and 4 * len(own) >= len(letters) else None


@cache
def _reads_as_latin(char: str) -> str | None:
    """The ASCII letter ``char`` is a look-alike of (Unicode's confusables, UTS #39), None when none."""
    if char.isascii():
        return None
    found = _confusables().is_confusable(char, greedy=True, preferred_aliases=[])
    for homoglyph in found[0]["homoglyphs"] if found else ():
        if len(homoglyph["c"]) == 1 and homoglyph["c"].isascii() and homoglyph["c"].isalpha():
            return str(homoglyph["c"])
    return None


@cache
def _confusables() -> Any:
    """The package's confusables table (read when the first non-ASCII letter is checked)."""
    from confusable_homoglyphs import confusables

    return confusables


def _nfkc(char: str) -> str:
    return unicodedata.normalize("NFKC", char)


def _script(char: str) -> str:
    return str(_categories().alias(char))


@cache
def _categories() -> Any:
    """The package's Unicode script tables (0.3 s to load: read when the first non-ASCII word is checked)."""
    from confusable_homoglyphs import categories

    return categories


def display_name(name: object, *, first: bool = False, fallback: str = "there") -> str:
    """The plain words of a person's name to greet them with (only the first word with ``first``).

    Control characters are removed; words that are links, domains, e-mail addresses, markup or anything but
    letters (with apostrophes, hyphens, an initial's period) are dropped. ``fallback`` (a neutral greeting word)
    stands in when nothing plain is left."""
    text = "".join(" " if c in _LAYOUT else c for c in str(name or "") if not is_control(c))
    text = unicodedata.normalize("NFC", text)
    words = [w for w in text.split() if _plain_word(w, text)]
    if first:
        words = words[:1]
    kept = " ".join(words)[:NAME_CHARS].strip()
    return kept or fallback


def _plain_word(word: str, name: str) -> bool:
    return bool(_NAME_WORD.fullmatch(word)) and not plain_text_problems(word, within=name) and not word.endswith("-")
