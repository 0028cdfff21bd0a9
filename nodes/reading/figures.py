"""Figures read from folded text: money amounts, a price that changed, and when something will happen.

Dates are read with the lexicon's month, weekday, unit and relative-day tables, and the words around figures (what
joins a range, the article before a bare day and an ordinal's ending, what marks a time gone by, a currency said in
words) with its ``[figures]`` tables, so a language is data. A numeric date
is read only where its order is known: dotted dates are day first ("4.12."), a slash date whose first number is
above 12 is day first ("18/11"), and one that could be either ("04/06") is read only when the text declares its
order ("MM/DD per their paperwork", "US vendor") or the caller does; otherwise it is *ambiguous*, and a fact resting
on it is hedged, never guessed. A date gone by is *past*: a restock promised for it is no restock.

Why not a date library (measured 2026-11-26 with dateparser 1.2, ``search.search_dates`` over en/de/fr/es, today
2026-11-25, future preferred): importing it takes 2.8 s; it read "may" and "sat" in "may ship sat if the 12oz
arrives" as dates, "a week from Monday" as Monday, "Lieferung am 4.12." as 25 April ("am 4"), "pasado mañana" as
tomorrow, and "ETA 04/06" as 6 April with no sign of doubt; only "the 3rd of next month" came out right. The tables
here read each of those, in microseconds, and leave the slash date ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from ai_missions.nodes.reading.lexicon import Lexicon, compiled, default, fold

#: A numeric date further ahead than this is a date gone by ("approved 11/20"), not the one awaited.
AHEAD_AT_MOST = 183
#: How far back a named day-and-month may lie before it is read as next year's.
BEHIND_AT_MOST = 60


def _number(raw: str) -> float:
    raw = re.sub(r"[ \u00a0\u202f]", "", raw)  # "1 040" (a thousands space, French style)
    if re.search(r"[.,]\d{1,2}$", raw):
        whole, cents = re.split(r"[.,](?=\d{1,2}$)", raw)
    else:
        whole, cents = raw, "0"
    return float(re.sub(r"[.,]", "", whole) + "." + cents)


def amounts(text: str, lexicon: Lexicon | None = None) -> list[float]:
    """Money amounts written in the text ("$12.50", "12,50 €", "EUR 1.234,00", "20 quid", "12.50")."""
    lexicon = lexicon or default()
    # "15 pounds 50" ("fifteen pounds fifty" in digits): the cents said after the currency word
    text = _cents_after_currency(lexicon).sub(r"\1.\3 \2", text)
    pattern = _amount_pattern(lexicon)
    return [_number(next(g for g in m.groups() if g)) for m in pattern.finditer(text)]


@cache
def _cents_after_currency(lexicon: Lexicon) -> re.Pattern[str]:
    """Cents are a bare two-digit figure: not a figure of a unit ("20 quid 30 days") or of another amount."""
    words = _figure_words(lexicon, "currency_words") or r"(?!)"
    units = _alternation(lexicon.units)
    return compiled(rf"(?<![\d.,])(\d+)\s*({words})\s+(\d{{2}})(?![\d.,]?\d|\s*(?:%|[$€£]|(?:{units})(?![\w])))", re.I)


@cache
def _amount_pattern(lexicon: Lexicon) -> re.Pattern[str]:
    """Money: a currency sign or code before or after the figure, or a currency said in words after it (the
    lexicon's ``figures.currency_words``: "20 quid", "15 dólares"), or a figure with cents."""
    words = _figure_words(lexicon, "currency_words")
    return compiled(
        r"(?:[$€£]|usd|eur|gbp)\s*(\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
        r"|(\d{1,3}(?:[,. \u00a0\u202f]\d{3})*(?:[.,]\d{2})|\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+(?:[.,]\d{2})?)"
        r"\s*(?:[$€£]|usd|eur|gbp" + (rf"|(?:{words})(?![\w])" if words else "") + r")"
        r"|(?<![\w.,/])(\d+[.,]\d{2})(?![\d])",
        re.I,
    )


def price_change(folded: str, lexicon: Lexicon | None = None) -> float | None:
    """The rise of a price said as a change ("was 19, now 24"; "passe de 35 à 42 €"; "vorher 49 €, jetzt 56 €"):
    the new price less the old, when it rose; None when the text says no such change."""
    lexicon = lexicon or default()
    best = None
    for pattern in (_price_change(lexicon), _price_in_place(lexicon)):
        # tried from every place, not only after the last match: "from" in "upgrade from the 256 GB model: was 289,
        # now 339" must not hide the change that follows
        at = 0
        while (match := pattern.search(folded, at)) is not None:
            old, new = _number(match["old"]), _number(match["new"])
            if new > old:
                best = round(new - old, 2)
            at = match.start() + 1
    return best


def _price(name: str) -> str:
    # "1,299.00" and "1.049" are thousands, not a price and its cents
    # "1 040 €": a thousands space, where a currency follows
    number = (
        r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?=\s*[$€£])|\d+(?:[.,]\d{1,2})?"
    )
    return rf"(?:[$€£]\s*)?(?P<{name}>{number})(?:\s*(?:[$€£]|eur|usd|dollars?|euros?))?"


@cache
def _price_in_place(lexicon: Lexicon) -> re.Pattern[str]:
    """The new price said first, then the one it takes the place of ("129 au lieu de 115", "24 instead of 19",
    "56 statt 49"): the lexicon's ``instead_of_price`` words between two prices."""
    between = lexicon["instead_of_price"].pattern
    return compiled(rf"{_price('new')}\s*(?:{between.pattern if between else '(?!)'})\s*{_price('old')}(?![\d%])")


@cache
def _price_change(lexicon: Lexicon) -> re.Pattern[str]:
    before, after = lexicon["from_words"].pattern, lexicon["to_words"].pattern
    return compiled(
        rf"(?:{before.pattern if before else '(?!)'})[^\d.;!?]{{0,40}}?{_price('old')}"
        rf"[^.;!?]{{0,40}}?(?:{after.pattern if after else '(?!)'})[^\d.;!?]{{0,25}}?{_price('new')}"
    )


@dataclass(frozen=True)
class When:
    """A time the text names: days from today (None when it cannot be told), where, and whether it is past or
    ambiguous."""

    days: float | None
    start: int
    end: int
    past: bool = False
    ambiguous: bool = False


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _figure_words(lexicon: Lexicon, key: str) -> str:
    """The lexicon's words for ``key`` of its ``[figures]`` tables, merged over the languages, as one alternation
    (longest first; a space stands for any run of white space)."""
    words = {fold(w) for w in (lexicon.raw.get("figures") or {}).get(key, [])}
    # words of one length in alphabetical order, not the set's (another in every process): the pattern is then the
    # same text in every process, as the store of compiled patterns needs to find it
    ordered = sorted(words, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


@cache
def _figure_set(lexicon: Lexicon, key: str) -> frozenset[str]:
    return frozenset(fold(w) for w in (lexicon.raw.get("figures") or {}).get(key, []))


@cache
def _patterns(lexicon: Lexicon) -> dict[str, re.Pattern[str]]:
    units = _alternation(lexicon.units)
    numbers = _alternation(lexicon.numbers)
    months = _alternation(m for m in lexicon.months if len(m) >= 3)
    weekdays = _alternation(w for w in lexicon.weekdays if len(w) >= 3)
    next_month = _alternation(k for k, days in lexicon.relative_days.items() if days == 30)
    keys = ("range_joiners", "ordinal_suffixes", "day_before", "day_of", "not_a_day_after", "past_after", "or_later")
    relative = _alternation(lexicon.relative_days)
    word = {key: _figure_words(lexicon, key) or "(?!)" for key in (*keys, "past_before", "from_weekday")}
    suffix = rf"{word['ordinal_suffixes']}|\."  # and a German ordinal's dot ("am 4.")
    return {
        "duration": compiled(
            # a number word needs a space before its unit: "an" and "d" are not "and"
            rf"(?<![\w.])(?:(\d+)(?:\s*(?:-|{word['range_joiners']})\s*(\d+))?\s*|({numbers})\s+)({units})"
            rf"(?![\w])"
        ),
        "relative": compiled(rf"(?<![\w])({_alternation(lexicon.relative_days)})(?![\w])"),
        "iso": compiled(r"\b(20\d\d)-(\d\d)-(\d\d)\b"),
        "day_month": compiled(
            rf"(?<![\w.])(\d{{1,2}})(?:{suffix})?\s+(?:(?:{word['day_of']})\s+)?({months})\.?(?:\s+(20\d\d))?(?![\w])"
            rf"|(?<![\w])({months})\.?\s+(\d{{1,2}})(?:{word['ordinal_suffixes']})?(?:,?\s+(20\d\d))?(?![\w])"
        ),
        "next_month_day": compiled(rf"(?<![\w])(\d{{1,2}})(?:{suffix})?\s+(?:{word['day_of']})\s+(?:{next_month})"),
        "dotted": compiled(r"(?<![\d./])(\d{1,2})\.(\d{1,2})\.(?:(\d{4}|\d{2})\b)?(?![\d/])"),
        "slash": compiled(r"(?<![\d./])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])"),
        "weekday": compiled(rf"(?<![\w])({weekdays})\.?(?![\w])"),
        "ordinal": compiled(
            rf"(?<![\w])(?:{word['day_before']})\s+(\d{{1,2}})(?:{suffix})?"
            r"(?![\w%$€£]|[/.]\d)"
            rf"(?!\s*(?:%|[$€£]|{word['not_a_day_after']}))"
        ),
        "past_after": compiled(rf"\s*(?:{word['past_after']})\b"),
        "past_before": compiled(rf"(?<![\w])(?:{word['past_before']})\s*$"),
        "last": compiled(rf"(?<![\w])(?:{_figure_words(lexicon, 'last') or '(?!)'})\s*$"),
        "from_weekday": compiled(rf"\s*(?:{word['from_weekday']})\s+({weekdays})"),
        "from_relative": compiled(rf"\s*(?:{word['from_weekday']})\s+({relative})(?![\w])"),
        "or_later": compiled(rf"\s*,?\s*(?:{word['or_later']})(?![\w])"),
    }


def _date(today: date, day: int, month: int, year: int | None) -> date | None:
    try:
        return date(year or today.year, month, day)
    except ValueError:
        return None


def times(
    folded: str, today: date | None = None, lexicon: Lexicon | None = None, order: str | None = None
) -> list[When]:
    """Every time the folded text names, in order of where it is written; overlapping readings keep the longest.
    ``order`` ("DMY" or "MDY") is the date order the caller knows for slash dates; the text may declare its own."""
    lexicon = lexicon or default()
    p = _patterns(lexicon)
    found: list[When] = []
    order = order or _declared_order(folded, lexicon)
    for m in p["duration"].finditer(folded):
        if p["past_after"].match(folded, m.end()) or p["past_before"].search(folded, 0, m.start()):
            found.append(When(None, m.start(), m.end(), past=True))
            continue
        if m[3] and m[3] in _figure_set(lexicon, "vague_counts"):
            found.append(When(None, m.start(), m.end(), ambiguous=True))  # "in a few weeks": no firm time
            continue
        count = float(m[2] or m[1]) if m[1] else lexicon.numbers[m[3]]
        days = count * lexicon.units[m[4]]
        end = m.end()
        after = p["from_weekday"].match(folded, m.end())
        if after and today is not None:
            days += _weekday_ahead(today, lexicon.weekdays[after[1]])
            end = after.end()
        elif anchor := p["from_relative"].match(folded, m.end()):  # "three weeks from today", "a week from tomorrow"
            days += lexicon.relative_days[anchor[1]]
            end = anchor.end()
        found.append(When(round(days, 2), m.start(), end))
    for m in p["relative"].finditer(folded):
        found.append(When(lexicon.relative_days[m[1]], m.start(), m.end()))
    if today is not None:
        found += _dates(folded, today, lexicon, p, order)
    found.sort(key=lambda w: (w.start, -(w.end - w.start)))
    kept: list[When] = []
    for when in found:
        if kept and when.start < kept[-1].end:
            if when.end - when.start > kept[-1].end - kept[-1].start:
                kept[-1] = when
            continue
        kept.append(when)
    # "next week or the one after", "la semaine prochaine ou la suivante": a choice between two, no firm time
    return [
        When(None, w.start, w.end, ambiguous=True) if not w.past and p["or_later"].match(folded, w.end) else w
        for w in kept
    ]


def _declared_order(folded: str, lexicon: Lexicon) -> str | None:
    if lexicon["date_order_mdy"].search(folded):
        return "MDY"
    if lexicon["date_order_dmy"].search(folded):
        return "DMY"
    for word, order in lexicon.date_orders.items():
        if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", folded):
            return order
    # the text's language says it where its writers use one order ("réassort le 01/12": day first)
    return lexicon.slash_orders.get(lexicon.language(folded))


def _weekday_ahead(today: date, weekday: int) -> int:
    return (weekday - today.weekday() - 1) % 7 + 1


def _dates(folded: str, today: date, lexicon: Lexicon, p: dict[str, re.Pattern[str]], order: str | None) -> list[When]:
    out: list[When] = []

    def add(when: date | None, start: int, end: int, roll: bool = False, ambiguous: bool = False) -> None:
        if when is None:
            return
        if roll and when < today - timedelta(days=BEHIND_AT_MOST):
            when = when.replace(year=when.year + 1)
        ahead = (when - today).days
        if ahead > 400:
            return
        out.append(When(float(ahead) if ahead >= 0 else None, start, end, past=ahead < 0, ambiguous=ambiguous))

    for m in p["iso"].finditer(folded):
        add(_date(today, int(m[3]), int(m[2]), int(m[1])), m.start(), m.end())
    for m in p["day_month"].finditer(folded):
        day, month, year = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
        if 1 <= int(day) <= 31:
            add(_date(today, int(day), lexicon.months[month], int(year) if year else None), m.start(), m.end(),
                roll=not year)  # fmt: skip
    for m in p["next_month_day"].finditer(folded):
        month, year = (today.month % 12 + 1, today.year + (today.month == 12))
        add(_date(today, int(m[1]), month, year), m.start(), m.end())
    for m in p["dotted"].finditer(folded):
        add(_date(today, int(m[1]), int(m[2]), _year(m[3])), m.start(), m.end(), roll=not m[3])
    for m in p["slash"].finditer(folded):
        a, b, year = int(m[1]), int(m[2]), _year(m[3])
        if a > 12 or order == "DMY":
            add(_date(today, a, b, year), m.start(), m.end(), roll=not year)
        elif b > 12 or order == "MDY":
            add(_date(today, b, a, year), m.start(), m.end(), roll=not year)
        else:
            readings = [_date(today, a, b, year), _date(today, b, a, year)]
            past = (all(r is not None and r < today for r in readings) and year is not None) or all(
                r is not None and today - timedelta(days=BEHIND_AT_MOST * 3) < r < today for r in readings
            )
            out.append(When(None, m.start(), m.end(), past=past, ambiguous=not past))
    for m in p["weekday"].finditer(folded):
        before = folded[max(0, m.start() - 12) : m.start()]
        after = p["past_after"].match(folded, m.end())
        if after or p["last"].search(before):
            out.append(When(None, m.start(), m.end(), past=True))
            continue
        out.append(When(float(_weekday_ahead(today, lexicon.weekdays[m[1]])), m.start(), m.end()))
    for m in p["ordinal"].finditer(folded):
        day = int(m[1])
        if not 1 <= day <= 31:
            continue
        month, year = (today.month, today.year) if day >= today.day else (today.month % 12 + 1, today.year)
        year += int(month < today.month)
        add(_date(today, day, month, year), m.start(), m.end())
    return out


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    return int(raw) + (2000 if len(raw) == 2 else 0)


def days_until(text: str, today: date | None = None, lexicon: Lexicon | None = None) -> float | None:
    """Days from today to the time the text names: the last one written that lies ahead (a later mention is the
    newer: "moved from Dec 4 to Dec 11"); the later end of a range. None when none can be told."""
    ahead = [w for w in times(fold(text), today, lexicon) if w.days is not None and not w.past]
    return ahead[-1].days if ahead else None


_REFERENCE = re.compile(r"(?<![\w])#?([A-Z]{1,4}-?\d{3,}|W\d{5,}|\d{5,})(?![\w])")


def references(text: str) -> list[str]:
    """Record references of any usual shape ("#W2611", "PO-4471", "order 100234")."""
    return [m.group(1) for m in _REFERENCE.finditer(text)]
