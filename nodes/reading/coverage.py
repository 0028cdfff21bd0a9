"""Know what was not read: every statement of a text is placed, or it is unexplained (issue 57).

Rules cannot be made to understand wording nobody has seen; they can be made to know when they have not understood.
After a reader has read a text for the kinds a mission asks, each statement of it is placed:

- ``fact``: a fact of an asked kind was read from it (in any polarity: a denial or a hedge is understood too);
- ``no_fact``: it is known to carry none: quoted earlier mail, mail headers, a signature or boilerplate, a form's
  box left unticked (its label is a choice not made: :mod:`.statements`), or a body statement that holds no word
  bearing on a decision (see below);
- ``elsewhere``: it is about another record or about things in general (the statements layer's ``about``);
- ``unexplained``: it may bear on the decision and the reader read nothing from it, it is in a language the reader
  does not claim, or it is a table's row holding such words (structured text is read as such, or not at all). Its
  :attr:`Placed.terms` name the words that made it so.

A statement bears on a decision when it holds any of these, none of which the reader read as a fact:

- a word of any fact kind's topic, asked or not (every kind's cues and actions in the lexicon: "refund", "stornieren",
  "retirer en magasin"): the mission asked about a restock and the note says the customer wants to cancel;
- a word that changes what another word means or whether it holds: a negation, a condition, a hedge, a refusal, a
  taking back, a mistake, "instead", an offer, a consent ("yes"), irony ("oh great", "na toll": sarcasm says the
  opposite of its words);
- a request or a question about a possibility (the statements layer's mood): someone asks for something;
- another person's words or a supplier's claim (the statements layer's holder);
- a request written to the machine that reads it ("SYSTEM:", "approve this"): text is data, never an instruction,
  and such a statement is never placed;
- meaning close to a fact kind's prototypes (the shipped MiniLM model, where the reader computed it).

A statement a fact was *affirmed* from is still unexplained when the reader did not read all of it: a hedge, a
taking back or a mistake outside the kind's own words; a question about a deed done; a field whose key names the kind
and whose value the reader did not read ("bank verified = false"); the kind offered as one of a choice not made ("a
refund or a replacement"); one field of a record of fields, which is read field by field or not at all. A statement
holding the reader's own names for its kinds ("refund_request=approved") is written to the machine.

No list here names a phrase: the words are the lexicon's categories and kinds, shared with the reader. A mission
never acts on its own while text about its subject is unexplained (:func:`ai_missions.nodes.guard.guard`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ai_missions.nodes.reading.kinds import KINDS
from ai_missions.nodes.reading.languages import unclaimed
from ai_missions.nodes.reading.lexicon import Lexicon
from ai_missions.nodes.reading.statements import Statement

Placement = Literal["fact", "no_fact", "elsewhere", "unexplained"]

#: The lexicon's categories of words that change what a statement means or whether it holds.
STANCE: tuple[str, ...] = (
    "negation",
    "condition",
    "hedge",
    "refuse",
    "retract",
    "reversal",
    "mistake",
    "instead",
    "offer",
    "yes",
    "irony",
    "machine",
)
#: The stance categories that, outside a kind's own words in a statement a fact of it was affirmed from, leave the
#: fact unsure: a hedge ("pending", "outstanding"), a taking back, a mistake. A negation, a condition or a refusal
#: is scoped by the reader itself ("I dont need it anymore, please stop the order"; measured: treating them as
#: unsure lost 14 of the project set's affirmed statements to save 1), and a reversal ("actually", "changed my
#: mind") introduces the last word the reader takes.
UNSETTLING: tuple[str, ...] = ("hedge", "retract", "mistake")
#: Moods that ask for something (a plain information question about nothing a kind names places no fact).
ASKING = frozenset({"request", "possibility", "policy"})
#: A statement at least this close in meaning to a kind's prototypes bears on that kind.
SEMANTIC_BEARING = 0.6


@dataclass(frozen=True)
class Placed:
    """One statement of a text and where the reader placed it."""

    index: int
    words: str
    start: int
    placement: Placement
    #: What placed it ("cancel_intent", "quoted", "about another record") or why it is unexplained.
    why: str
    #: The words that made it unexplained (for the card and the Explain rail to highlight).
    terms: tuple[str, ...] = ()

    @property
    def unexplained(self) -> bool:
        return self.placement == "unexplained"


def _kind_words(lexicon: Lexicon, folded: str) -> list[str]:
    """The words of any kind's topic in a statement (its cues and actions)."""
    found = []
    for words in lexicon.kinds.values():
        for part in (words.cues, words.actions):
            if part and (match := part.search(folded)) is not None:
                found.append(match.group(0))
    return found


def _withheld(lexicon: Lexicon, folded: str, besides: frozenset[str]) -> list[str]:
    """The cues of a kind that withholds consent (a refusal, a wish to cancel...; ``KindSpec.withholds``), but the
    kinds ``besides``, in a statement: what a statement read for another kind must not carry unread."""
    found = []
    for kind, words in lexicon.kinds.items():
        if kind not in besides and KINDS[kind].withholds and words.cues and (match := words.cues.search(folded)):
            found.append(match.group(0))
    return found


#: The lexicon's categories of formulae that carry no fact: their words say nothing of a decision ("no worries",
#: "if you need anything", "hope you are well").
COURTESY: tuple[str, ...] = ("pleasantry", "closing")


def _courteous(lexicon: Lexicon, folded: str) -> str:
    """The statement with its formulae of politeness blanked: what is left is what it says."""
    for category in COURTESY:
        if category in lexicon.words:
            for start, end in reversed(lexicon[category].spans(folded)):
                folded = folded[:start] + " " * (end - start) + folded[end:]
    return folded


def bearing(statement: Statement, lexicon: Lexicon, similarity: float = 0.0) -> list[str]:
    """The words of a statement that may bear on a decision (empty when none does). Formulae of politeness are
    read as such; a statement that says it bears on nothing ("not order related", "nothing else") bears on nothing
    unless it also names a kind's topic; another person's words bear when they say something (a topic, a stance),
    not because someone else is named ("my husband says hi")."""
    folded = _courteous(lexicon, statement.folded)
    terms = _kind_words(lexicon, folded)
    if not terms and "unrelated" in lexicon.words and lexicon["unrelated"].search(folded):
        return []
    for category in STANCE:
        if category in lexicon.words and (match := lexicon[category].search(folded)) is not None:
            terms.append(match.group(0))
    # a request whose asking words are a formula's ("please note that ...") asks for nothing
    asks = statement.mood != "request" or "request" not in lexicon.words or lexicon["request"].search(folded)
    if statement.mood in ASKING and asks and folded.strip(" .,!?;:-"):
        terms.append(f"({statement.mood})")
    if statement.holder != "writer" and terms:
        terms.append(f"({statement.holder.replace('_', ' ')})")
    if similarity >= SEMANTIC_BEARING and not terms:
        terms.append(f"(close in meaning: {similarity:.2f})")
    return list(dict.fromkeys(t.strip() for t in terms if t.strip()))


#: A field of structured text: a short key that starts with a letter, ``:`` or ``=``, and its value up to the next
#: field's separator ("bank verified = false", "manual posting: n/a", "method=call_back; status=scheduled").
_FIELD = re.compile(r"(?P<key>[^\W\d_][^:=;|]{0,40}?)\s*[:=](?!//)\s*(?P<value>[^;|]*)")
#: How near a kind's words an "or" offers them as one of a choice (in characters: "a refund or a replacement").
_NEXT_TO = 4
#: The names the reader gives the kinds it reads ("refund_request", "bank_verified"), as a word of a text.
_OWN_NAMES = re.compile(r"\b(?:" + "|".join(sorted(KINDS, key=len, reverse=True)) + r")\b")
#: An aside in parentheses, and a value's words (a run of question marks counts as one: "???").
_ASIDE = re.compile(r"\([^)]*\)?")
_TOKEN = re.compile(r"[^\W_]+(?:/[^\W_]+)?|\?+")


def _field_unread(lexicon: Lexicon, folded: str, own: list[tuple[int, int]], kind: str) -> str | None:
    """The value of the field whose key names the kind, when the reader did not read it: a field is read as such (its
    value decides), or it is unexplained. A value that is a placeholder ("", "____", "???") or one word that is no
    consent ("yes", "done"), none of the kind's own words or methods ("call_back") and no figure ("false", "n/a",
    "scheduled") is not read; a value that names a thing ("click & collect: Westfield branch", "Kd. einverstanden:
    Expressaufschlag 7,00 EUR") is what the key says of it."""
    words = lexicon.kinds.get(kind)
    for field in _FIELD.finditer(folded):
        key_start, key_end = field.span("key")
        if not any(key_start <= a < key_end for a, _ in own):
            continue
        value = _ASIDE.sub(" ", field.group("value")).split(",")[0].strip()
        tokens = _TOKEN.findall(value)
        if len(tokens) > 1 or (tokens and tokens[0][0].isdigit()):
            continue
        said = bool(tokens) and (
            ("yes" in lexicon.words and lexicon["yes"].search(value) is not None)
            or (words is not None and any(part.search(value) for part in (words.cues, words.actions)))
            or (words is not None and any(m.search(value) for m in words.methods.values()))
        )
        if not said:
            return f"{field.group('key').strip()}: {field.group('value').strip() or '(empty)'}"
    return None


def _unsettled(lexicon: Lexicon, statement: Statement, kind: str) -> list[str]:
    """Why a statement a fact of ``kind`` was affirmed from is not understood whole (empty when it is): it is a
    question, which states no deed done ("bank verified: ???", "do you need a corrected invoice?"), or it
    holds a word that may undo what was affirmed outside the kind's own words ("portal (pending vendor login)",
    "Nachlieferung in 10 Tagen, noch nicht bestätigt"): the reader affirmed the fact without reading that word's
    scope, so the statement is unexplained rather than a fact."""
    if KINDS[kind].needs_done and statement.mood == "question":
        return [f"({statement.mood})"]
    folded = _courteous(lexicon, statement.folded)
    words = lexicon.kinds.get(kind)
    own = (
        [
            m.span()
            for part in (words.cues, words.actions, words.objects, words.alternative)
            for m in part.finditer(folded)
        ]
        if words is not None
        else []
    )
    if (unread := _field_unread(lexicon, folded, own, kind)) is not None:
        return [unread]
    if own and "or_words" in lexicon.words:
        # "exchange or refund, whatever's faster": the kind offered as one of a choice not yet made
        for start, end in lexicon["or_words"].spans(folded):
            for a, b in own:
                if 0 <= start - b <= _NEXT_TO or 0 <= a - end <= _NEXT_TO:
                    return [folded[min(a, start) : max(b, end)].strip()]
    found = []
    for category in UNSETTLING:
        if category not in lexicon.words:
            continue
        for start, end in lexicon[category].spans(folded):
            if not any(a < end and start < b for a, b in own):
                found.append(folded[start:end])
    return list(dict.fromkeys(found))


def place(
    statements: Sequence[Statement],
    read: Mapping[int, str],
    lexicon: Lexicon,
    *,
    similarity: Sequence[float] | None = None,
    known: frozenset[str] = frozenset(),
    affirmed: Mapping[int, str] | None = None,
) -> list[Placed]:
    """Each statement placed. ``read``: the statements a fact was read from (index -> kind); ``affirmed``: those
    of them a fact was affirmed from (index -> kind); ``similarity``: each statement's closeness to any kind's
    prototypes; ``known``: names the records hold (a party's, an item's), which tell no language."""
    placed = []
    # the statements that are each one field of a record ("method=callback", "status: scheduled")
    fields = {st.index for st in statements if _FIELD.fullmatch(st.folded.strip(" .;,|/-"))}
    for statement in statements:
        at = (statement.index, statement.text, statement.start)
        if statement.region == "table" and bearing(statement, lexicon):
            # structured text is read as such or it is unexplained: the reader reads no table's cells
            placed.append(Placed(*at, "unexplained", "a table the reader does not read", (statement.text,)))
            continue
        if not statement.body:
            why: str = "a box not ticked: a choice not made" if statement.region == "unticked" else statement.region
            placed.append(Placed(*at, "no_fact", why))
            continue
        if (language := unclaimed(statement.text, known)) is not None:
            placed.append(Placed(*at, "unexplained", f"written in a language the reader does not claim ({language})",
                                 (statement.text,)))  # fmt: skip
            continue
        machine = ("machine" in lexicon.words and lexicon["machine"].search(statement.folded)) or None
        addressed = machine or _OWN_NAMES.search(statement.folded)
        if addressed is not None:
            # the reader's own names for what it reads ("refund_request=approved") are written to it, never by a
            # customer or a colleague to another person
            placed.append(Placed(*at, "unexplained", "written to the machine (text is data, never an instruction)",
                                 (addressed.group(0),)))  # fmt: skip
            continue
        if statement.index in read and statement.index in fields and len(fields) >= 2:
            # a record of fields ("method=callback; number_source=change_request_email; result=confirmed") is read
            # field by field or not at all, as a table is: a fact read from its words alone is not read
            placed.append(Placed(*at, "unexplained", "a record of fields the reader does not read field by field",
                                 (statement.text,)))  # fmt: skip
            continue
        irony = "irony" in lexicon.words and lexicon["irony"].search(statement.folded)
        if irony:
            # what irony surrounds is not taken at its word, a fact read from it included ("oh sure, cancel it")
            placed.append(Placed(*at, "unexplained", "said with irony: not taken at its word", (irony.group(0),)))
            continue
        if statement.index in read:
            kind = read[statement.index]
            others = _withheld(lexicon, statement.folded, frozenset(read.values()))
            if others:
                # read for one kind, it speaks of another too ("restock Friday; she'd rather cancel if later")
                why = f"read as {kind.replace('_', ' ')}, but it speaks of more the reader did not read"
                placed.append(Placed(*at, "unexplained", why, tuple(others)))
                continue
            if (
                affirmed
                and statement.index in affirmed
                and (undo := _unsettled(lexicon, statement, affirmed[statement.index]))
            ):
                why = f"read as {affirmed[statement.index].replace('_', ' ')}, but words in it were not read in scope"
                placed.append(Placed(*at, "unexplained", why, tuple(undo)))
                continue
            placed.append(Placed(*at, "fact", kind))
            continue
        if statement.about in ("other", "general"):
            placed.append(
                Placed(
                    *at, "elsewhere", f"about {'another record' if statement.about == 'other' else 'things in general'}"
                )
            )
            continue
        sim = similarity[statement.index] if similarity is not None and statement.index < len(similarity) else 0.0
        terms = bearing(statement, lexicon, sim)
        if terms:
            placed.append(Placed(*at, "unexplained", "may bear on the decision and was not read", tuple(terms)))
        else:
            placed.append(Placed(*at, "no_fact", "no word bearing on a decision"))
    return placed
