"""Statements: a text split once into what was said, each with who holds it, what it is about, when, and how.

A text is first cut into lines (a line break, or what one-line exports write for one: " / " or a run of spaces)
and each line is given its region: the message itself (``body``), a quoted earlier message (``>`` lines, and all that
follows an "-----Original Message-----" or a header block met after the message began), mail ``header`` lines
("From:", "Gesendet:", "De :", "Asunto:"), a ``signature`` (a closing such as "Kind regards, Dana") or
``boilerplate`` (all that follows a "--" footer mark, "Sent via ..."). Only the body states facts: a shop's footer
offering free store pickup, or a quoted header's "Sent:" date, is never read as one.

Body lines are cut into sentences, and sentences into statements where they turn ("but", "aber", "mais", "pero")
or go on in time (", then", "puis", "luego"). Each :class:`Statement` carries, read from the lexicon's categories:

- ``holder``: ``writer``, ``third_party`` (someone else's words or situation: "my brother returned his") or ``claim``
  (a supplier's word about itself: "vendor says verified");
- ``about``: ``this`` (said outright: "this order"), ``other`` (another order, item, store, account), ``general``
  (a policy, a footer, an advert) or ``unsaid``;
- ``mood``: ``assertion``, ``request`` (also a request asked as a question: "could you cancel order 118432?"),
  ``question`` (asking for information), ``possibility`` ("is it possible to swap sale items?") or ``policy``
  (a question about things in general: "can I exchange things bought with a gift card?");
- ``conditional``, ``hedged``, ``planned``, ``past`` (a plan gone by: "was promised for Nov 18");
- ``reverses``: it takes back what was said before ("ignore my earlier request", "then emailed to drop it", "later
  declined": a refusal with no object of its own after a turn in time).

The folded form of a statement (:attr:`Statement.folded`) is what the lexicon matches: lowercase, accents folded,
numbers written in words as digits (text2num's ``alpha2digit`` for en/fr/es/de) and typos corrected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from text_to_num import alpha2digit

from ai_missions.nodes.reading.lexicon import Lexicon, default, fold

Region = Literal["body", "quoted", "header", "signature", "boilerplate", "unticked", "table"]
Holder = Literal["writer", "third_party", "claim"]
About = Literal["this", "other", "general", "unsaid"]
Mood = Literal["assertion", "request", "question", "possibility", "policy"]

#: Where a one-line export broke a line: a real break, " / " or " | " between words (a chat's turns), a run of
#: spaces, or a quote mark after a colon or a sentence's end ("... wrote: > We have cancelled ...", "Any news?
#: > Shop name - free returns on all orders").
_LINES = re.compile(r"\r?\n|\s+[/|]\s+(?=\S)|\s{2,}(?=\S)|(?<=[:.!?])\s+(?=>)")
#: A period after these is an abbreviation, not a sentence end ("the no. from vendor master", "J. Ortiz", "Kd.").
_ABBREVIATION = re.compile(
    r"(?:(?i:\w*(?:str|nr))|\b(?i:no|nr|tel|telef|ref|réf|approx|ca|vs|etc|kd|bzw|st|mr|ms|mrs|dr|art|n\.?º|nº|inc|ltd|co|est|ind|corp|"
    r"fa|fr|hr|mme|sr|sra|ph|lt|cust|adr|verif|vérif|dir|tél|av|avda|ave|blvd|bd|rd|pza|acct|pcs|orig|approx|max|min|e\.g|i\.e|z\.b|u\.a|str|ggf|evtl|inkl|zzgl|usw|vgl)|\b[A-Z]|(?<![\d.])\d{1,2}"
    r"(?:\.\d{1,2})?)\.$"
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|(?<=[!?])(?=[^\s!?.)\"'])")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_HEADER_THEN_BODY = re.compile(r"\s--+\s+(?=\w)")
#: The dash after which a one-line note that opens with a reply's subject (the lexicon's ``reply_prefix``: "Re:",
#: "AW:", "Fwd:") goes on with its message (three words at least).
_REPLY_THEN_BODY = re.compile(r"\s[-–—]\s+(?=(?:\S+\s+){2}\S)")
_FOOTER = re.compile(r"^\s*(?:--+|__+|==+)\s*")
_QUOTE = re.compile(r"^\s*>+\s?")
_TAGS = re.compile(
    r"[,\s]*\b(?:right|isn'?t it|has it|have they|did it|ok|okay|n'est-ce pas|oder|¿?verdad|no)\s*\?*\s*$", re.I
)


@dataclass(frozen=True)
class Statement:
    index: int
    #: The words as written (the evidence), and where they start in the text.
    text: str
    start: int
    #: Folded, numbers in digits, typos corrected: what the lexicon matches.
    folded: str
    region: Region
    sentence: int
    holder: Holder
    about: About
    mood: Mood
    conditional: bool
    hedged: bool
    planned: bool
    past: bool
    reverses: bool
    #: A verb in the future tense ("registrará", "passera"): planned, as "will" is.
    future: bool = False
    #: Where in ``folded`` a third party is named, and each first person after it (whose words follow).
    third_party_at: tuple[tuple[int, int], ...] = ()
    #: Words in quotation marks that a template, a script or a reminder holds ("sent the claim template ('item arrived
    #: damaged - attach photos')"): wording for others to use, stated by no one.
    templates: tuple[tuple[int, int], ...] = ()

    @property
    def body(self) -> bool:
        return self.region == "body"


#: A form's box before (or after) its label: ticked ("[x]", "☑", "(•)", "✔") or not ("[ ]", "☐", "( )").
_BOX = re.compile(r"\[\s*[xX✓✔✗✘*]?\s*\]|\(\s*[xX•*o]?\s*\)(?=\s*\w)|[☐☑☒✓✔○●◉]")
_TICKED = re.compile(r"[xX✓✔✗✘*•☑☒●◉]")
#: A table's row: a line that opens and closes with a pipe, or a rule under its header ("|---|---|").
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$|^\s*\|?\s*:?-{3,}")


def _lines(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for match in _LINES.finditer(text):
        out.append((start, text[start : match.start()]))
        start = match.end()
    out.append((start, text[start:]))
    return [(s, line) for s, line in out if line.strip()]


def _table_rows(text: str) -> list[tuple[int, int]]:
    """Where the text's table rows are (a line between pipes, or a header's rule): a table is structured text the
    reader does not read as statements, so its cells are never read as someone saying them."""
    rows, at = [], 0
    for line in text.split("\n"):
        if _TABLE_ROW.match(line) and line.count("|") >= 2:
            rows.append((at, at + len(line)))
        at += len(line) + 1
    return rows


def _boxes(start: int, line: str) -> list[tuple[int, str, Region]] | None:
    """A form's line, each box with its label: a ticked box's label is the writer's choice (``body``), an unticked
    one's is a choice not made (``unticked``), never read as said. None when the line holds no box."""
    marks = list(_BOX.finditer(line))
    if not marks:
        return None
    after = line[marks[-1].end() :].strip(" :-") != ""  # labels follow their boxes ("[x] refund"), else precede
    out: list[tuple[int, str, Region]] = []
    for i, mark in enumerate(marks):
        if after:
            lo, hi = mark.end(), marks[i + 1].start() if i + 1 < len(marks) else len(line)
        else:
            lo, hi = marks[i - 1].end() if i else 0, mark.start()
        label = line[lo:hi]
        if label.strip(" :-|,;"):
            out.append((start + lo, label, "body" if _TICKED.search(mark.group()) else "unticked"))
    lead = line[: marks[0].start()] if after else ""
    if lead.strip(" :-|,;"):
        out.insert(0, (start, lead, "body"))
    return out


def _regions(text: str, lexicon: Lexicon) -> list[tuple[int, str, Region]]:
    """Each line with its region; everything after a footer mark, or after an earlier message begins, follows it."""
    out: list[tuple[int, str, Region]] = []
    rest: Region | None = None
    seen_body = False
    lines = _lines(text)
    tables = _table_rows(text)
    for start, line in lines:
        folded = fold(line.strip())
        if rest is not None:
            out.append((start, line, rest))
            continue
        if any(lo <= start < hi for lo, hi in tables):
            out.append((start, line, "table"))
            continue
        if (boxes := _boxes(start, line)) is not None:
            out.extend(boxes)
            seen_body = seen_body or any(region == "body" for *_, region in boxes)
            continue
        if _QUOTE.match(line):
            # a quoted header line after the message began: the rest is the earlier message
            back = _reply_after_quote(line, lexicon)
            if back is not None:
                # "> We can offer a replacement. -- A replacement is fine, ...": a one-line export writes the quote,
                # a dash mark, then the writer's own answer
                out.append((start, line[:back], "quoted"))
                out.append((start + back, line[back:], "body"))
                seen_body = True
                continue
            out.append((start, line, "quoted"))
            continue
        if _FOOTER.match(line) and not re.match(r"^\s*-+-\s*[\w']+\s+[\w']+\s*-+", line):
            rest = "boilerplate"
            out.append((start, line, rest))
            continue
        header = lexicon["header_keys"].search(folded)
        if (header is not None and header.start() == 0) or re.match(r"^\s*-{3,}", line):
            if seen_body:
                rest = "quoted"
            # a one-line export writes the message after its header block behind " -- ": "Sent: ... -- The chairs ..."
            mark = None if seen_body else _HEADER_THEN_BODY.search(line)
            if mark is None and not seen_body and len(lines) == 1:
                # a one-line note that opens with a reply's subject: "Re: hardware keys backorder - vendor confirms
                # restock in 3 weeks": the message goes on after the subject's dash
                reply = lexicon["reply_prefix"].search(folded)
                mark = _REPLY_THEN_BODY.search(line) if reply is not None and reply.start() == 0 else None
            if mark is not None:
                out.append((start, line[: mark.start()], "header"))
                out.append((start + mark.end(), line[mark.end() :], "body"))
                seen_body = True
                continue
            out.append((start, line, "header"))
            continue
        footer = _footer_after_closing(line, lexicon, text[start + len(line) :])
        if footer is not None:
            # "Merci beaucoup ! -- Maison Durand · Retrait gratuit en magasin": a one-line export's signature mark
            out.append((start, line[:footer], "body"))
            seen_body = True
            rest = "boilerplate"
            out.append((start + footer, line[footer:], rest))
            continue
        boiler = lexicon["boilerplate"].search(folded)
        if boiler is not None and boiler.start() == 0:
            rest = "boilerplate"
            out.append((start, line, rest))
            continue
        out.append((start, line, "body"))
        seen_body = True
    return out


#: A footer's mark inside a line: "--" (or a longer run) between spaces.
_INLINE_FOOTER = re.compile(r"\s+--+\s+(?=\S)")


def _reply_after_quote(line: str, lexicon: Lexicon) -> int | None:
    """Where the writer's own words start again on a quoted line: after a "--" mark that does not follow a closing
    (a quoted message's own footer does), and with no further quote mark after it."""
    mark = _INLINE_FOOTER.search(line)
    if mark is None or ">" in line[mark.end() :] or _footer_after_closing(line, lexicon) is not None:
        return None
    return mark.end()


def _footer_after_closing(line: str, lexicon: Lexicon, after: str = "") -> int | None:
    """Where a footer starts inside a line: a "--" mark right after a sentence that thanks ("Thanks for your help! --
    Homeworks Ltd | Free click & collect") or after a closing and a name ("Best regards, Tom -- Halden Tools"): the
    lexicon's ``closing`` words, as a one-line export writes a signature's "-- " line. A dash inside a sentence, or
    after one that does not close, is prose."""
    for mark in _INLINE_FOOTER.finditer(line):
        before = line[: mark.start()].strip()
        sentences = _SENTENCES.split(before)
        last = sentences[-1] if sentences else ""
        thanks = before.endswith(("!", ".", "?")) and lexicon["closing"].search(fold(last)) is not None
        if thanks or (last and _closing(last, lexicon)) or _framed(line[mark.end() :] + after, lexicon):
            return mark.start()
    return None


def _framed(rest: str, lexicon: Lexicon) -> bool:
    """What follows a "--" mark is a shop's frame, whatever came before it: links set apart by " | " ("Equipo Hogar+ |
    Recoge gratis | Política"), or a frame's words ("Thank you for shopping with us!")."""
    return " | " in rest or lexicon["boilerplate"].search(fold(rest)) is not None


def _sentences(line: str, lexicon: Lexicon) -> list[tuple[int, str]]:
    out, start = [], 0
    for match in _SENTENCES.finditer(line):
        if (
            _ABBREVIATION.search(line, 0, match.start())
            and line[match.start() - 1 : match.start()] not in "!?;"
            and not _number_ends_sentence(line, match.start(), match.end(), lexicon)
            and not _bare_no_ends_sentence(line, match.start(), match.end())
        ):
            continue
        if _short_weekday_before_a_day(line, match.start(), match.end(), lexicon):
            continue
        if line[start : match.start()].strip():
            out.append((start, line[start : match.start()]))
        start = match.end()
    if line[start:].strip():
        out.append((start, line[start:]))
    return out


def _number_ends_sentence(line: str, stop: int, after: int, lexicon: Lexicon) -> bool:
    """A period after a number of one or two digits ends the sentence ("exchange it for a 38. Finally I kept it")
    when a capitalised word follows that is no month or weekday, and no word before the number makes it an ordinal
    ("am 4. Dezember", "zum 3. Mal"): the lexicon's ``[figures] day_before`` and ``ordinal_before``."""
    following = re.match(r"([^\W\d_]+)", line[after:])
    if re.search(r"(?:^|\s)\d{1,2}\.\d{1,2}\.$", line[:stop]) and following is not None:
        # a day and month ("vom 02.11.") before a request or a closing ("Bitte die alte nicht mehr bezahlen"): the
        # date ends its sentence; before another word it may go on ("ab 22.12. wieder lieferbar")
        rest = fold(line[after:])
        return any((m := lexicon[c].search(rest)) is not None and m.start() == 0 for c in ("request", "closing"))
    if re.search(r"(?:^|\s)\d{1,2}[:h]\d{2}\.$", line[:stop]) and following is not None and following[1][0].isupper():
        return True  # a time of day ("par téléphone 24/11 11:40. Retire ...") ends its sentence before a capital
    number = re.search(r"(?:^|\s)(?:(\S+)\s+)?\d{1,2}\.$", line[:stop])
    if number is None or following is None or not following[1][0].isupper():
        return False
    if fold(following[1]) in lexicon.months or fold(following[1]) in lexicon.weekdays:
        return False
    figures = lexicon.raw.get("figures") or {}
    ordinal = {fold(w) for key in ("day_before", "ordinal_before") for w in figures.get(key, [])}
    return number[1] is None or fold(number[1]) not in ordinal


def _bare_no_ends_sentence(line: str, stop: int, after: int) -> bool:
    """ "no." before a capitalised word ("Thanks for the offer but no. Close the account") is an answer that ends its
    sentence; before a number, a code or a lowercase word ("no. 4471", "No. ABC-12", "the no. from the master file")
    it stands for one."""
    word = re.match(r"[^\W\d_]+", line[after:])
    return (
        re.search(r"\b(?i:no)\.$", line[:stop]) is not None
        and word is not None
        and len(word[0]) > 1
        and word[0][0].isupper()
        and word[0][1:].islower()
    )


def _short_weekday_before_a_day(line: str, stop: int, after: int, lexicon: Lexicon) -> bool:
    """A period after a weekday written short and before a day's number ("am Do. 10.12.", "Sa. 5/12") is no sentence
    end: the weekday names are the lexicon's ``[weekdays]``."""
    word = re.search(r"([^\W\d_]{2,4})\.$", line[:stop])
    return word is not None and fold(word[1]) in lexicon.weekdays and re.match(r"\d", line[after:]) is not None


def _statements(sentence: str, lexicon: Lexicon) -> list[tuple[int, str]]:
    """A sentence cut where it turns ("but", "aber") or goes on in time (", then", "; puis", "d'abord ... puis"), and
    at semicolons."""
    folded = fold(sentence)
    if len(folded) != len(sentence):
        return [(0, sentence)]
    cuts = [m.start() for m in re.finditer(r";", folded)]
    # a turn inside a concession ("even though", "même si") opens no statement of its own: the concession is one
    conceding = [m.span() for m in lexicon["concessive"].finditer(folded)]
    cuts += [
        m.start()
        for m in lexicon["contrast"].finditer(folded)
        if m.start() > 0 and not any(a < m.start() < b for a, b in conceding)
    ]
    # "flickers now and then" goes on in nothing: a phrase that only holds a sequence word is no cut
    held = [m.span() for m in lexicon["not_sequence"].finditer(folded)]
    cuts += [
        m.start()
        for m in lexicon["sequence"].finditer(folded)
        if m.start() > 0
        and not any(a <= m.start() < b for a, b in held)
        and (
            re.search(r"(?:[,;]|\s-|\band)\s*$", folded[: m.start()])
            # "first agreed to the fee then changed her mind": a time said first makes the next one a new statement
            or _has(lexicon, "at_first", folded[: m.start()])
            # "cancelled then changed her mind": what comes next takes it back
            or _has(lexicon, "reversal", folded[m.start() :])
        )
        and folded[m.end() :].strip()
    ]
    out, start = [], 0
    for cut in sorted(set(cuts)):
        if sentence[start:cut].strip(" ,;-"):
            out.append((start, sentence[start:cut]))
            start = cut
    if sentence[start:].strip(" ,;-"):
        out.append((start, sentence[start:]))
    return out or [(0, sentence)]


def _closing(text: str, lexicon: Lexicon) -> bool:
    """A closing and a name ("Kind regards, Dana"; "Thanks, Priya"; "Merci d'avance."): a signature."""
    folded = fold(text.strip())
    match = lexicon["closing"].search(folded)
    if match is None or match.start() != 0:
        return False
    after = folded[match.end() :]
    return bool(re.match(r"^\s*(?:[,!.:]|$)", after)) and len(_WORD.findall(after)) <= 7


def normalise(text: str, lexicon: Lexicon) -> str:
    """The folded form the lexicon matches: numbers in words as digits, typos corrected."""
    folded = fold(text)
    told = lexicon.language_told(folded)
    language = told or "en"
    try:
        digits = alpha2digit(text, language)
    except (ValueError, KeyError):  # a language text2num lacks: the words stay words
        digits = text
    # a price said as words, "nine ninety-nine", comes out as "9 99": one amount
    if not re.search(r"\b\d{1,3} \d{2}\b", text):
        digits = re.sub(r"\b(\d{1,3}) (\d{2})\b", r"\1.\2", digits)
    folded = fold(digits)
    return re.sub(r"[^\W\d_]{5,}", lambda m: lexicon.correct(m.group(), told), folded)


def analyse(text: str, lexicon: Lexicon | None = None) -> list[Statement]:
    """The text's statements, in order. A mission reads one note for several kinds and then places it: the shipped
    lexicon's analysis of a text is made once (statements are frozen; the list handed out is a copy)."""
    if lexicon is None or lexicon is default():
        return list(_analysed(text))
    return _analyse(text, lexicon)


@lru_cache(maxsize=4096)
def _analysed(text: str) -> tuple[Statement, ...]:
    return tuple(_analyse(text, default()))


def _analyse(text: str, lexicon: Lexicon) -> list[Statement]:
    out: list[Statement] = []
    sentence_index = 0
    for line_start, line, region in _regions(text, lexicon):
        for sentence_start, sentence in _sentences(line, lexicon):
            own_region = region
            if region == "body" and _closing(sentence, lexicon):
                own_region = "signature"
            for piece_start, piece in _statements(sentence, lexicon):
                cleaned = _QUOTE.sub("", piece) if own_region == "quoted" else piece
                folded = normalise(cleaned, lexicon)
                out.append(_statement(len(out), cleaned, line_start + sentence_start + piece_start, folded,
                                      own_region, sentence_index, lexicon))  # fmt: skip
            sentence_index += 1
    return out


def _accented_apart(text: str, folded: str, lexicon: Lexicon) -> str:
    """The folded text with each word the accent tells apart blanked where the text writes it with its accent
    (``[language] accented``: Spanish "sí", yes, folds onto "si", if): "sí acepto el acabado" states no condition.
    Numbers written as digits do not change how many such words there are, so the n-th one written is the n-th one
    folded."""
    out = folded
    for word in (lexicon.raw.get("language") or {}).get("accented", []):
        plain = fold(word)
        written = [m.group() for m in re.finditer(rf"(?<!\w)(?i:{re.escape(word)}|{re.escape(plain)})(?!\w)", text)]
        spots = list(re.finditer(rf"(?<!\w){re.escape(plain)}(?!\w)", folded))
        if len(written) != len(spots):
            continue
        for as_written, spot in zip(written, spots, strict=True):
            if as_written.lower() == word.lower():
                out = out[: spot.start()] + " " * len(plain) + out[spot.end() :]
    return out


def other_records(folded: str, lexicon: Lexicon) -> list[re.Match[str]]:
    """Where the statement names another record: the lexicon's ``other_record`` words, and a record named by its
    month (``dated_record``: "the March order", "la commande d'avril", "Bestellung vom Juli"), which a day's number
    after it makes a date of this one instead ("my order from June 3")."""
    dated = [m for m in lexicon["dated_record"].finditer(folded) if not re.match(r"\s*\d", folded[m.end() :])]
    return sorted([*lexicon["other_record"].finditer(folded), *dated], key=lambda m: m.start())


def _has(lexicon: Lexicon, category: str, folded: str) -> bool:
    return lexicon[category].search(folded) is not None


def _statement(
    index: int, text: str, start: int, folded: str, region: Region, sentence: int, lexicon: Lexicon
) -> Statement:
    # "even if it looks like a duplicate" is no condition, nor the "sí" (yes) of "sí acepto"
    # ... nor the "if" of a request framed as thanks ("I'd be grateful if you could refund it": ``grateful_if``)
    quiet = blank(lexicon, "polite", blank(lexicon, "concessive", _accented_apart(text, folded, lexicon)))
    quiet = blank(lexicon, "grateful_if", quiet)
    mood: Mood = "assertion"
    if "?" in _untagged(folded, lexicon):  # "..., right?" is no question
        opening = lexicon["question"].search(folded)
        if _has(lexicon, "possibility", folded):
            mood = "possibility"
        elif _has(lexicon, "offer_question", folded):
            mood = "question"  # "Agent: would you like a refund or an exchange?": offered, not asked for
        elif opening is not None and opening.start() <= 3:
            mood = "question"
        elif _has(lexicon, "generic", blank(lexicon, "specific", folded)):  # "those two items" are this order's
            mood = "policy"
        elif _has(lexicon, "request", folded):
            mood = "request"
        else:
            mood = "question"
    elif _has(lexicon, "indirect_question", folded):
        mood = "question"
    elif _has(lexicon, "request", folded):
        mood = "request"
    third = [m.span() for m in lexicon["third_party"].finditer(folded) if not _for_them(folded, m.start(), lexicon)]
    holder: Holder = (
        "claim"
        if _has(lexicon, "claim", folded) or _quotes_supplier(folded, lexicon) or _done_by_supplier(folded, lexicon)
        else ("third_party" if third else "writer")
    )
    about: About = "unsaid"
    if _has(lexicon, "general", folded):
        about = "general"
    elif other_records(folded, lexicon):
        about = "other"
    elif _has(lexicon, "this_record", folded):
        about = "this"
    bare = re.sub(r"[^\w\s']", " ", blank(lexicon, "sequence", folded)).strip()
    denial = lexicon["denial"].search(bare)
    reverses = (
        _has(lexicon, "reversal", folded)
        or (
            _has(lexicon, "sequence", folded)
            and (
                _has(lexicon, "undo", folded)
                or (denial is not None and denial.span() == (0, len(bare)))
                or any(_bare_object(lexicon).match(folded, m.end()) for m in lexicon["refuse"].finditer(folded))
            )
        )
        or _undoes_what_came_before(folded, lexicon)
        or _undoes_it(folded, lexicon)
    )
    return Statement(
        index=index,
        text=text.strip(),
        start=start,
        folded=folded,
        region=region,
        sentence=sentence,
        holder=holder,
        about=about,
        mood=mood,
        conditional=_has(lexicon, "condition", quiet) or _has(lexicon, "otherwise", folded),
        hedged=_has(lexicon, "hedge", blank(lexicon, "not_hedge", quiet)) or _has(lexicon, "qualifier", folded),
        planned=_has(lexicon, "plan", folded),
        past=_has(lexicon, "past_plan", folded),
        reverses=reverses,
        future=lexicon.in_future(text),
        third_party_at=tuple(third),
        templates=_template_quotes(folded, lexicon),
    )


#: Words in quotation marks: '...', "...", « ... », „...“ (folded: the marks as written).
_QUOTED = re.compile(r"""(?:^|(?<=[\s:(]))(?:'[^']{8,}'|"[^"]{8,}"|«[^»]{8,}»|„[^“"]{8,}[“"])""")


def _for_them(folded: str, at: int, lexicon: Lexicon) -> bool:
    """The third party named at ``at`` is who a thing is for ("the second order is a gift for her mum", "ist für
    meine Tochter": the lexicon's ``beneficiary`` words right before it or overlapping it), not who speaks."""
    return any(
        m.start() < at and (m.end() >= at or not folded[m.end() : at].strip())
        for m in lexicon["beneficiary"].finditer(folded)
    )


def _quotes_supplier(folded: str, lexicon: Lexicon) -> bool:
    """The statement quotes the supplier's own words ("the vendor writes: 'our bank has validated the account'",
    "le fournisseur indique « ... »"): a supplier is named just before words in quotation marks (the lexicon's
    ``supplier`` words), so they are its claim."""
    quote = _QUOTED.search(folded)
    return (
        quote is not None and lexicon["supplier"].search(folded, max(0, quote.start() - 60), quote.start()) is not None
    )


def _done_by_supplier(folded: str, lexicon: Lexicon) -> bool:
    """The supplier is who did it, named after an agent word at the end of its clause, or before one last word (a
    verb: "confirmed by the vendor", "vom Lieferanten bestätigt", "validé par le fournisseur."): the supplier's own
    word, not a check of ours. The supplier's records named so ("by the vendor master": the lexicon's
    ``supplier_record`` words) are not the supplier speaking."""
    pattern = _supplier_as_agent(lexicon)
    return pattern is not None and pattern.search(folded) is not None


@cache
def _supplier_as_agent(lexicon: Lexicon) -> re.Pattern[str] | None:
    """The pattern of :func:`_done_by_supplier`, built once per lexicon (it is asked of every statement)."""
    agent, supplier, records = (lexicon[c].pattern for c in ("agent", "supplier", "supplier_record"))
    if agent is None or supplier is None:
        return None
    ends = "|".join(re.escape(fold(w)) for w in (lexicon.raw.get("objects") or {}).get("ends", [])) or "(?!)"
    record = rf"(?!\s+(?:{records.pattern}))" if records is not None else ""
    return re.compile(
        rf"(?:{agent.pattern})\s+(?:[\w']+\s+)?(?:{supplier.pattern}){record}(?:\s+[\w']+)?\s*(?:[,.;!:)]|$|\s(?:{ends})\b)"
    )


def _template_quotes(folded: str, lexicon: Lexicon) -> tuple[tuple[int, int], ...]:
    """The spans of words in quotation marks that a template, a script or a reminder just before them holds (the
    lexicon's ``template`` words: "script reminder for the team: '...'", "Textbaustein „...“", "plantilla: '...'")."""
    return tuple(
        quote.span()
        for quote in _QUOTED.finditer(folded)
        if lexicon["template"].search(folded, max(0, quote.start() - 60), quote.start()) is not None
    )


#: After an undoing verb, what shows it undoes what came before: nothing, "it", or a possessive's thing.
@cache
def _bare_object(lexicon: Lexicon) -> re.Pattern[str]:
    """After an undoing verb: nothing, or only a pronoun for the earlier thing (and one more word), up to the end of
    the clause or one of the lexicon's words that end an object ("by", "heute", "por"): ``[objects]`` per language."""
    table = lexicon.raw.get("objects") or {}

    def alternation(key: str) -> str:
        words = sorted({fold(w) for w in table.get(key, [])}, key=len, reverse=True)
        return "|".join(re.escape(w) for w in words) or "(?!)"

    pronouns, ends = alternation("pronouns"), alternation("ends")
    return re.compile(rf"\s*(?:(?:{pronouns})\b(?:\s+[\w']+)?)?{adverbials(lexicon)}\s*(?:[,.;!(]|\s(?:{ends})\b|$)")


@cache
def adverbials(lexicon: Lexicon) -> str:
    """Any number of words that only say when or how a thing was done, as a pattern: a day written in digits (after
    the lexicon's ``[figures] day_before`` words: "on 19/11", "am 23.11.", "le 19/11") or a channel (``said_how``: "by
    mail", "per Mail", "par téléphone", "por correo") or a day told from the first (``said_when``: "the next day",
    "le lendemain"). "reversed 19/11 by mail" and "withdrawn the next day by phone" have no new object of their own."""
    when = lexicon["said_when"].regex
    return rf"(?:\s*(?:{day_in_digits(lexicon)}|{when}(?!\w)|{lexicon['said_how'].regex}(?!\w)))*"


def day_in_digits(lexicon: Lexicon) -> str:
    """A day written in digits, after the lexicon's ``[figures] day_before`` words ("on 19/11", "am 23.11.", "le
    19/11"), as a pattern."""
    figures = lexicon.raw.get("figures") or {}
    before = "|".join(re.escape(fold(w)) for w in sorted(figures.get("day_before", []), key=len, reverse=True))
    return rf"(?:(?:{before or '(?!)'})\s+)?\d{{1,2}}[./]\d{{1,2}}(?:[./]\d{{2,4}})?\.?(?!\d)"


def _undoes_what_came_before(folded: str, lexicon: Lexicon) -> bool:
    """A statement that turns ("..., but withdrew it today", "aber heute widerrufen") with a verb that undoes and no
    new object of its own: it takes back what the sentence said before."""
    turn = lexicon["contrast"].search(folded)
    if turn is None or folded[: turn.start()].strip(" ,;-"):
        return False
    verbs = [*lexicon["undo"].finditer(folded, turn.end()), *lexicon["refuse"].finditer(folded, turn.end())]
    return any(_bare_object(lexicon).match(folded, m.end()) for m in verbs)


def _undoes_it(folded: str, lexicon: Lexicon) -> bool:
    """A statement that opens (after "please") with a verb that undoes and only "it" after it ("Please remove it, ...",
    "Take it off"): it undoes what came before. A cancellation ("please cancel it": the lexicon's cancel_intent
    words) asks for a thing of its own."""
    verb = lexicon["undo"].search(folded)
    if verb is None:
        return False
    cancel = lexicon.kinds.get("cancel_intent")
    if cancel is not None and any(
        a <= verb.start() < b or a >= verb.end() for a, b in [*cancel.cues.spans(folded), *cancel.actions.spans(folded)]
    ):
        return False  # "please cancel it" asks for a thing; "retira la baja" undoes the cancellation it names
    before = blank(lexicon, "polite", blank(lexicon, "request", folded[: verb.start()]))
    return not before.strip(" ,;-") and _bare_object(lexicon).match(folded, verb.end()) is not None


def _untagged(folded: str, lexicon: Lexicon) -> str:
    """The statement without a question tag at its end ("that's $120 more, right?")."""
    end = folded.rstrip()
    for match in lexicon["tag"].finditer(end):
        if match.end() >= len(end.rstrip("?! ")) and not end[match.end() :].strip("?! "):
            return end[: match.start()]
    return end


def blank(lexicon: Lexicon, category: str, folded: str) -> str:
    """The folded text with a category's phrases blanked to spaces (offsets kept). Politeness is blanked only where
    it closes a clause: "if you can." is politeness, "if you can do 50% off" a condition."""
    words = lexicon[category]
    if words.pattern is None:
        return folded
    out = folded
    for match in words.finditer(folded):
        if category == "polite" and not re.match(r"\s*(?:[,.!?;)]|$)", folded[match.end() :]):
            continue
        out = out[: match.start()] + " " * (match.end() - match.start()) + out[match.end() :]
    return out


def body(statements: Sequence[Statement]) -> list[Statement]:
    return [s for s in statements if s.body]
