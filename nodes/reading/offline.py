"""The offline reader: statements (:mod:`.statements`), then facts, by the lexicon's words (:mod:`.lexicon`) and
general rules; semantic matching with the shipped MiniLM model for wording the lexicon does not name.

For each fact kind asked, each statement of the message's body is read for the kind's words: a cue alone, or an
action with its object in the statement, the statements next to it or the field the text was written in ("verified"
in ``bank_accounts.verification_method``). Whether the statement states it is read from:

- **scope**: a negation in the part of the statement the cue is in (cut at commas, dashes, "and"); a denial that
  binds what follows it ("without verification", "sans rappel"); the cue in what was not chosen ("took the discount
  instead of cancelling", "rather credit than a refund") or in what was changed from ("switched from click & collect
  to home delivery"); a verb that undoes it ("pickup cancelled", "ETA ... is cancelled");
- **the statement**: a condition, a hedge or a qualifier; a question (a request asked as a question is a request;
  "is it possible", "can I exchange things bought with a gift card?" are not); a plan, for kinds that need a thing
  done; a third party's words or situation; another record; a rule or a footer;
- **the kind**: who may state it (a restock is the supplier's or staff's to state, never a customer's hearsay; a
  verification is staff's, never the vendor's own claim) and what counts as evidence (``bank_verified``: a channel
  independent of the change request);
- **discourse**: the last statement on the kind is the last word, a later one that takes it back ("then emailed to
  drop it", "ignore my earlier request") denies it, and a later question does not undo an earlier statement.

Every fact keeps the words that decide it: the statement, and the words that took it back.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

import numpy as np

from ai_missions.knowledge_index.embeddings import embed_texts_cached, load_model
from ai_missions.nodes.reading import KINDS, Evidence, Fact, Polarity, Source, TextReading
from ai_missions.nodes.reading.coverage import place
from ai_missions.nodes.reading.figures import When, amounts, days_until, price_change, references, times
from ai_missions.nodes.reading.languages import load as load_languages
from ai_missions.nodes.reading.lexicon import KindWords, Lexicon, compiled, default, fold, load_words
from ai_missions.nodes.reading.statements import Statement, adverbials, analyse, blank, day_in_digits, other_records

__all__ = ["OfflineReader", "amounts", "bank_method", "clauses", "days_until", "polarity", "references"]

#: Where a negation's scope ends inside a statement.
#: A cue marks its own place with this when blanked, so "to be verified" still reads as not yet done.
_BLANK = "§"
SEMANTIC_ALONE = 0.78  # a statement this close to a prototype is the kind even without a cue
SEMANTIC_WITH_CUE = 0.45  # a partial cue (an action without its object) confirmed by meaning
#: Marks, inside the reader only, a denial read from the opposite words (see ``KindWords.opposites``).
_OPPOSITE = "offline:opposite"


@dataclass(frozen=True)
class _Read:
    """One statement's reading of one kind."""

    statement: Statement
    polarity: Polarity
    confidence: float
    value: object
    words: str
    opposite: bool = False
    question: bool = False


@cache
def _part_marks() -> re.Pattern[str]:
    """Where a clause's part ends: punctuation, a dash or an arrow, a slash between spaces, and the lexicon's
    ``clause_joiner`` words ("and", "dann", "puis", "luego") between spaces."""
    joiners = default()["clause_joiner"].regex
    return compiled(rf"[,;:()]\s*|\s[-–—]+\s|\s*(?:->|→|=>)\s*|\s(?:{joiners}|&)\s|\s/\s")


def _parts(folded: str) -> list[tuple[int, int]]:
    bounds = sorted({0, *(m.end() for m in _part_marks().finditer(folded)), *_reasons(folded), len(folded) + 1})
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _reasons(folded: str) -> list[int]:
    """Where a reason begins ("refused the parcel because it was not the right colour", "rechacé el pedido porque
    venía abollado": the lexicon's ``reason`` words): a negation before it does not reach into it. A reason that is
    itself denied ("not because it was broken") is no cut: the denial is of the reason."""
    lexicon = default()
    out = []
    for match in lexicon["reason"].finditer(folded):
        if match.start() == 0:
            continue
        before = re.search(r"([\w']+)\s*$", folded[: match.start()])
        denial = lexicon["negation"].search(before[1]) if before is not None else None
        if denial is None or denial.span() != (0, len(before[1]) if before is not None else 0):
            out.append(match.start())
    return out


def _part_of(folded: str, at: int) -> tuple[int, int]:
    return next(((a, b) for a, b in _parts(folded) if a <= at < b), (0, len(folded)))


def _blanked(folded: str, spans: Sequence[tuple[int, int]]) -> str:
    for start, end in spans:
        folded = folded[:start] + _BLANK * (end - start) + folded[end:]
    return folded


def scope(folded: str, cues: Sequence[tuple[int, int]], lexicon: Lexicon, undo_counts: bool = True) -> Polarity:
    """Whether a statement states or denies what its cues name, by scope only (conditions and hedges are the
    statement's): a negation in a cue's part, a denial right before a cue, a cue in an alternative not taken or in
    what was changed from, a verb that undoes it."""
    cleaned = blank(lexicon, "polite", blank(lexicon, "not_negation", _blanked(folded, cues)))
    # "want the sand one not this brown thing": a denial after the cue that names what is not chosen denies that
    after = max((e for _, e in cues), default=len(cleaned))
    chosen = _blanked(cleaned, [m.span() for m in lexicon["instead"].finditer(cleaned, after)])
    spans = [_part_of(cleaned, start) for start, _ in cues] or [(0, len(cleaned))]
    for a, b in spans:
        piece = chosen[a:b].replace(_BLANK, " ")
        if lexicon["negation"].search(piece) or lexicon["retract"].search(piece):
            return "negated"
        if lexicon["mistake"].search(piece) or lexicon["mistake"].search(folded, a, b):  # "entry booked by mistake"
            return "negated"  # "marked accepted by mistake": an entry made in error states nothing
    for start, cue_end in cues:
        before = cleaned[max(0, start - 30) : start]
        denial = lexicon["before_negation"].pattern
        if denial is not None and re.search(rf"(?:{denial.pattern})[\s-]*(?:[\w']+\s+){{0,2}}$", before):
            return "negated"
        prefix = lexicon["prefix_negation"].pattern
        if prefix is not None and re.search(rf"(?:{prefix.pattern})-$", before):
            return "negated"  # "un-verified", "non-confirmé"
        if _in_alternative(folded, start, lexicon, cue_end) or _changed_from(cleaned, start, lexicon):
            return "negated"
        if re.match(rf"(?:[\s&/-]+[\w'&]+){{0,3}}\s*[:=]\s*(?:{lexicon['denial'].regex})(?!\w)", cleaned[cue_end:]):
            return "negated"  # a form's field answered no ("PICKUP IN STORE: no", "Retrait en magasin : non")
        if undo_counts and _undone(cleaned, start, lexicon):
            return "negated"
    # the kind's own word undone by another of its words ("résiliation annulée", "retira la baja"), not by a word of
    # a longer cue ("annule et remplace")
    undoing = {m.span() for m in lexicon["undo"].finditer(folded)}
    first = blank(lexicon, "polite", _blanked(folded, [c for c in cues if c not in undoing]))
    own = next((c for c in cues if c not in undoing), None)
    if undo_counts and own is not None and _undone(first, own[0], lexicon):
        return "negated"
    return "affirmed"


def _in_alternative(folded: str, at: int, lexicon: Lexicon, end: int | None = None) -> bool:
    """The cue is in what was not chosen: after "instead of"/"rather than" in its sentence (unless the writer's own
    clause has begun before the cue's ``end``), or after "than" in a preference ("I'd rather have store credit than a
    refund")."""
    for match in lexicon["instead"].finditer(folded, 0, at):
        if match.end() <= at and at - match.end() < 40 and not re.search(r"[.;!?,]", folded[match.end() : at]):
            # the writer's own clause has begun ("rather than waiting in for the courier I'll collect it", "statt
            # Lieferung nach Hause hole ich es ab"), or a preference opens the side chosen ("statt Umtausch lieber das
            # Geld zurück"): the cue is what is chosen
            return (
                lexicon["first_person"].search(folded, match.end(), end or at) is None
                and lexicon["prefer"].search(folded, match.end(), at) is None
            )
    prefer = lexicon["prefer"].search(folded, 0, at)
    if prefer is not None:
        than = lexicon["than"].pattern
        if than is not None and re.search(rf"(?:{than.pattern})\s+(?:[\w']+\s+){{0,3}}$", folded[prefer.end() : at]):
            return True
    return False


def _without_alternatives(folded: str, lexicon: Lexicon) -> str:
    """The text with each alternative not taken ("rather than waiting in for the courier") blanked, up to the end
    of its clause: what it says is not what the writer does."""
    for match in lexicon["instead"].finditer(folded):
        end = re.search(r"[.,;!?]|$", folded[match.end() :])
        stop = match.end() + (end.start() if end else 0)
        folded = folded[: match.start()] + " " * (stop - match.start()) + folded[stop:]
    return folded


def _changed_from(folded: str, at: int, lexicon: Lexicon) -> bool:
    """The cue is in what was changed from: "from click & collect to home delivery", "moved from X to Y" (the
    ``changed_from``, ``changed_to`` and ``change_verb`` words)."""
    source, target, verb = (lexicon[c].pattern for c in ("changed_from", "changed_to", "change_verb"))
    if source is None or target is None or verb is None:
        return False
    before = folded[max(0, at - 30) : at]
    earlier = lexicon["previously"].pattern
    if earlier is not None and re.search(rf"(?:{earlier.pattern})\s+(?:[\w'&]+\s+){{0,1}}$", before):
        # "(antes recogida en tienda, cambiado a domicilio)": what it was before a change made after it
        return re.search(rf"(?:{verb.pattern})\s+(?:[\w']+\s+){{0,2}}(?:{target.pattern})\s", folded[at:]) is not None
    if not re.search(rf"(?:{source.pattern})\s+(?:[\w'&]+\s+){{0,2}}$", before):
        return False
    after = folded[at : at + 40]
    # "to home delivery" after it, or nothing more in its clause ("(moved from home delivery 24/11)"): changed to
    # what the statement names
    rest = re.sub(r"^[§\w'&-]+(?:\s+[§\w'&-]+){0,2}", "", folded[at : _part_of(folded, at)[1]])
    ends = re.search(r"[^\W\d_]", rest) is None
    return (ends or re.search(rf"^[\w§'&\s-]{{0,25}}?\s(?:{target.pattern}|->|→)\s", after) is not None) and bool(
        re.search(rf"(?:{verb.pattern})\s+(?:[\w']+\s+){{0,3}}$", folded[:at])
        or re.search(rf"(?:{verb.pattern})\s+(?:{source.pattern})", before)
    )


def _undone(folded: str, at: int, lexicon: Lexicon) -> bool:
    """A verb in the cue's part undoes it: after it ("pickup cancelled", "the ETA ... is cancelled") or right before
    it with its object ("dropped the surcharge"); not an adjective ("the cancelled order")."""
    a, b = _part_of(folded, at)
    for match in lexicon["undo"].finditer(folded, a, b):
        if match.start() <= at < match.end() or _in_alternative(folded, match.start(), lexicon):
            continue  # the cue's own word, or a thing not chosen ("took the discount instead of cancelling")
        if match.start() > at and not re.search(r"\b(?:the|a|an|der|die|das|le|la|el)\s+$", folded[: match.start()]):
            return True
        between = folded[match.end() : at]
        if match.end() <= at and re.fullmatch(
            r"\s+(?:the|my|her|his|it|that|this|a|an|our|son|sa|ses|su|sus|seine?n?|ihre?n?|la|le|les|l'|el|los|las|"
            r"mi|ma|mon|mes|die|der|den|das|meine?n?)?\s*",
            between,
        ):
            return True
    return False


def polarity(clause: str, cues: Sequence[tuple[int, int]] = (), lexicon: Lexicon | None = None) -> Polarity:
    """How a sentence states what its cue names (the cue's own words blanked first): conditional, negated, hedged or
    affirmed; a question asking for information is hedged. Used where a whole sentence is judged (the LLM reader's
    check of a quoted answer)."""
    lexicon = lexicon or default()
    folded = fold(clause)
    quiet = blank(
        lexicon, "grateful_if", blank(lexicon, "polite", blank(lexicon, "concessive", _blanked(folded, cues)))
    )
    if lexicon["condition"].search(quiet) or lexicon["otherwise"].search(quiet):
        return "conditional"
    state = scope(folded, cues, lexicon)
    if state == "negated":
        return state
    if lexicon["hedge"].search(blank(lexicon, "not_hedge", quiet.replace(_BLANK, " "))) or lexicon["qualifier"].search(
        quiet
    ):
        return "hedged"
    if "?" in folded and (lexicon["possibility"].search(folded) or lexicon["question"].search(folded[:12])):
        return "hedged"
    return "affirmed"


def clauses(text: str) -> list[tuple[int, str]]:
    """(start offset, statement) pieces of a text's body: sentences, cut again where they turn."""
    return [(s.start, s.text) for s in analyse(text) if s.body]


WRITERS = ("vendor", "customer", "staff")


def writer_of(source: Source, lexicon: Lexicon) -> str:
    """Who wrote a text, from what its source says (``Source.writer``, else its system and field names, matched
    against the lexicon's ``writer_*`` words: "vendor email", "customer message", "crm note")."""
    if source.writer:
        return source.writer
    named = fold(re.sub(r"[._]+", " ", f"{source.field} {source.system}"))
    return next((w for w in WRITERS if lexicon[f"writer_{w}"].search(named)), "unknown")


def bank_method(text: str, lexicon: Lexicon | None = None) -> str:
    """How an account was verified: a phone call (not one denied: "no call-back", "sans rappel"), an e-mail, a
    portal, or other."""
    lexicon = lexicon or default()
    folded = fold(text)
    methods = lexicon.kinds["bank_verified"].methods
    spans = {name: [m.span() for m in words.finditer(folded)] for name, words in methods.items()}
    found: dict[str, int] = {}
    for name, words in methods.items():
        for match in words.finditer(folded):
            if any(
                a <= match.start() and match.end() <= b and b - a > match.end() - match.start()
                for other, held in spans.items()
                if other != name
                for a, b in held
            ):
                continue  # "reply" inside "signed reply" (a letter's answer): the longer method's word
            # read in its own sentence: "verified via the number on file. No discrepancies." denies nothing of it
            a = max((m.end() for m in re.finditer(r"[.!?]\s+", folded[: match.start()])), default=0)
            end = re.search(r"[.!?](?:\s|$)", folded[match.end() :])
            b = match.end() + end.start() + 1 if end else len(folded)
            if scope(folded[a:b], [(match.start() - a, match.end() - a)], lexicon, undo_counts=False) != "affirmed":
                continue
            found.setdefault(name, match.start())
    if "call_back" in found and not ("email" in found and found["email"] < found["call_back"]):
        return "call_back"
    for name in ("email", "portal", "other"):
        if name in found:
            return name
    return "other"


def load_resources() -> None:
    """What the offline reader reads from disk (its words, the embedding model, the shipped kinds' prototype
    vectors), loaded now: the missions read what people wrote inside the graph's event loop, which must not wait on a
    file (``langgraph dev``)."""
    load_words()
    load_model()
    load_languages()
    lexicon = default()
    for kind, words in lexicon.kinds.items():
        if words.prototypes:
            _prototypes(lexicon, kind)


class OfflineReader:
    """Statements, lexicon and rules; no network. ``semantic=False`` skips the embedding model; ``lexicon`` is the
    vocabulary (the shipped one by default)."""

    name = "offline"

    def __init__(self, semantic: bool = True, lexicon: Lexicon | None = None) -> None:
        self.semantic = semantic
        self._lexicon = lexicon

    @property
    def lexicon(self) -> Lexicon:
        """The vocabulary, loaded on first read: the missions make their reader at import, and a process that reads
        nothing (a CLI approving a decision) no longer parses the lexicon's files (0.3 s of CPU)."""
        return self._lexicon if self._lexicon is not None else default()

    def read(self, text: str, source: Source, kinds: Sequence[str], *, today: date | None = None) -> list[Fact]:
        return self.read_all([(source, text)], kinds, today=today)[0]

    def read_all(
        self, texts: Sequence[tuple[Source, str]], kinds: Sequence[str], *, today: date | None = None
    ) -> list[list[Fact]]:
        return [reading.facts for reading in self.read_texts(texts, kinds, today=today, placing=False)]

    def read_texts(
        self,
        texts: Sequence[tuple[Source, str]],
        kinds: Sequence[str],
        *,
        today: date | None = None,
        known: frozenset[str] = frozenset(),
        placing: bool = True,
    ) -> list[TextReading]:
        """Each text's facts of the kinds asked, and each of its statements placed (:mod:`.coverage`). Every
        statement of every text is embedded in one model call: the model's fixed cost per call is most of a short
        text's."""
        analysed = [analyse(text, self.lexicon) for _, text in texts]
        # closeness in meaning is weighed for the kinds asked only: embedding every statement for every kind's
        # prototypes cost 15-20 ms of CPU a case (bench/replay_budget.py) to place what the words place already
        similarity = self._similarity([s.text for own in analysed for s in own], kinds) if self.semantic else {}
        out, start = [], 0
        for (source, _), own in zip(texts, analysed, strict=True):
            mine = {kind: scores[start : start + len(own)] for kind, scores in similarity.items()}
            facts: list[Fact] = []
            read: dict[int, str] = {}
            affirmed: dict[int, str] = {}
            for kind in kinds:
                fact = self._kind(kind, own, mine.get(kind), source, today, read, affirmed)
                if fact is not None:
                    facts.append(fact)
            closest = np.max(np.stack(list(mine.values())), axis=0).tolist() if mine and own else None
            placed = (
                place(own, read, self.lexicon, similarity=closest, known=known, affirmed=affirmed) if placing else []
            )
            out.append(TextReading(source, facts, placed))
            start += len(own)
        return out

    def _similarity(self, texts: list[str], kinds: Sequence[str]) -> dict[str, np.ndarray]:
        wanted = [k for k in kinds if k in self.lexicon.kinds and self.lexicon.kinds[k].prototypes]
        if not texts or not wanted:
            return {}
        vectors = embed_texts_cached(texts, disk=False)  # on the event loop: memory or the model, never a file
        return {k: (vectors @ _prototypes(self.lexicon, k).T).max(axis=1) for k in wanted}

    # -- one kind over one text's statements -------------------------------------------------------------------

    def _kind(
        self,
        kind: str,
        statements: list[Statement],
        similarity: np.ndarray | None,
        source: Source,
        today: date | None,
        read: dict[int, str] | None = None,
        affirmed: dict[int, str] | None = None,
    ) -> Fact | None:
        """The fact of one kind in one text's statements; ``read`` collects the statements it was read from (any
        polarity), ``affirmed`` the one an affirmed fact was taken from, for :func:`.coverage.place`."""
        words = self.lexicon.kinds.get(kind)
        if words is None:
            return None
        spec = KINDS[kind]
        readings: list[_Read] = []
        for statement in statements:
            if not statement.body:
                continue
            sim = float(similarity[statement.index]) if similarity is not None else 0.0
            reading = self._statement(kind, words, statement, statements, sim, source, today)
            if reading is not None:
                readings.append(reading)
        if words.declined_offer and not any(r.polarity == "affirmed" for r in readings):
            readings += self._declined_offers(words, statements)
        if not readings:
            return None
        final = self._discourse(kind, readings, statements)
        if final is None:
            return None
        if final.polarity == "affirmed" and (taken := self._taken_instead(kind, final, statements, source, today)):
            final = replace(final, polarity="negated", value=None, words=f"{final.words} … {taken}")
        if read is not None:
            # the statements read for the kind, and those its last word was taken from ("... … then cancelled it")
            for statement in statements:
                if any(r.statement.index == statement.index for r in readings) or statement.text in final.words:
                    read.setdefault(statement.index, kind)
        writer = self._speaker(final.statement, statements) or writer_of(source, self.lexicon)
        if not source.writer and writer == "customer" and _initialled(statements):
            # "Gartenstr. 8 – Adr. tel. bestätigt (Anruf 24.11., MK)": an address line initialled by whom checked it
            writer = "staff"
        if writer == "customer" and not source.writer and self.lexicon["customer_named"].search(final.statement.folded):
            # "41 Kings Rd - confirmed by customer on a verified call" in an address line: the customer named in the
            # third person is not who wrote it; the field's name only guessed the writer
            writer = "unknown"
        if (
            writer == "customer"
            and not source.writer
            and words.requires
            and words.requires.search(final.statement.folded)
            and self.lexicon["checked_channel"].search(final.statement.folded)
            and not self.lexicon["first_person"].search(final.statement.folded)
        ):
            # "Gewerbepark 5 - Adresse am 23.11. per verifiziertem Rückruf bestätigt": the checked call that confirmed
            # it, noted in the third person, is not the customer's own word; the field's name only guessed the writer
            # ("addr confirmed by phone" names no check and stays the customer's)
            writer = "unknown"
        hearsay = self.lexicon["customer_says"].search(final.statement.folded) is not None
        if final.polarity == "affirmed" and "vendor" in spec.holders and "customer" not in spec.holders and hearsay:
            # "laut Kundin kommt die Ware am Montag": the customer's word on what the supplier states
            writer = "customer"
        if final.polarity == "affirmed" and spec.holders and writer not in (*spec.holders, "unknown"):
            # someone who cannot state this kind says it: hearsay ("the lady on the phone said restock Tuesday")
            final = replace(final, polarity="hedged", value=None)
        if affirmed is not None and final.polarity == "affirmed":
            affirmed.setdefault(final.statement.index, kind)
        value = final.value if final.polarity == "affirmed" else None
        confidence = final.confidence
        if final.polarity == "affirmed" and spec.value in ("amount", "days") and value is None:
            confidence = min(confidence, 0.5)  # "restock soon", "agreed to an upgrade": no figure to act on
        return Fact(kind, final.polarity, confidence, Evidence(source, final.words), value, self.name)

    def _taken_instead(
        self, kind: str, final: _Read, statements: list[Statement], source: Source, today: date | None
    ) -> str | None:
        """A later statement affirms a kind that takes this one's place (``KindSpec.given_up_for``: "called to
        cancel; after hearing about the half-price plan he said ok fine, I'll stay on that"): its words, or None."""
        for other in KINDS[kind].given_up_for:
            words = self.lexicon.kinds.get(other)
            if words is None:
                continue
            for statement in statements:
                if statement.body and statement.index > final.statement.index:
                    read = self._statement(other, words, statement, statements, 0.0, source, today)
                    # its own thing named in the statement: an assent alone ("ok thanks") takes nothing's place
                    if (
                        read is not None
                        and read.polarity == "affirmed"
                        and not read.opposite
                        and (words.cues.search(statement.folded) or words.objects.search(statement.folded))
                    ):
                        return statement.text
        return None

    def _discourse(self, kind: str, readings: list[_Read], statements: list[Statement]) -> _Read | None:
        """The last word: later statements replace earlier ones (a later question does not); a later statement that
        takes back what was said denies an earlier affirmation; a denial in other words yields to a stated cue."""
        stated = [r for r in readings if not r.opposite]
        opposites = [r for r in readings if r.opposite]
        words = self.lexicon.kinds[kind]
        if any(
            r.polarity == "affirmed" and not (words.minor and words.minor.search(r.statement.folded)) for r in stated
        ):
            # a denial in other words yields to a stated cue, unless it comes after it
            pool = stated + [o for o in opposites if o.statement.index > max(r.statement.index for r in stated)]
        else:
            pool = stated + opposites
        pool.sort(key=lambda r: r.statement.index)
        current: _Read | None = None
        for reading in pool:
            if current is not None and reading.question and current.polarity == "affirmed":
                continue
            if (
                current is not None
                and current.polarity == reading.polarity == "affirmed"
                and reading.confidence < current.confidence
            ):
                continue  # "I need these in a 10. ... shall I do the exchange? yes please": the surer word stands
            if (
                current is not None
                and KINDS[kind].value == "method"
                and current.polarity == "affirmed"
                and reading.polarity != "affirmed"
                and self._names_method(reading.statement.folded)
                and bank_method(reading.words) != current.value
            ):
                continue  # "confirmed by e-mail; call-back still outstanding": the e-mail check stands
            current = reading
        if current is None:
            return None
        if current.polarity == "affirmed":
            later = [s for s in statements if s.body and s.index > current.statement.index and s.reverses]
            later = [
                s
                for s in later
                if not any(r.statement.index == s.index for r in stated)
                and not self._takes_back_itself(s)
                and not self._undoes_another_kind(s, kind)
            ]
            if later:
                taken = later[0]
                return replace(current, polarity="negated", value=None, words=f"{current.words} … {taken.text}")
            if then := self._what_came_after_first(current, stated, statements):
                # "first declined the substitute, but rang back and accepted it"
                taken_words = " ".join(s.text for s in then)
                return replace(current, polarity="negated", value=None, words=f"{current.words} … {taken_words}")
            left_out = current.statement.about != "this" and self._this_record_left_out(statements)
            if left_out or self._left_out_beside(current.statement):
                return replace(current, polarity="hedged", value=None)  # "...; this order not discussed"
            if (offer := self._offer_taken(current, stated, statements)) is not None:
                return replace(current, polarity="negated", value=None, words=f"{current.words} … {offer}")
            if self._restricted_to_a_number(current.statement, statements):
                return replace(current, polarity="hedged", value=None)  # "re order #7781, for that order only"
            following = next((s for s in statements if s.body and s.index == current.statement.index + 1), None)
            if (
                following is not None
                and following.sentence == current.statement.sentence
                and self.lexicon["restrict"].search(following.folded)
                and (references(following.text) or following.about == "other" or re.search(r"\d{3,}", following.folded))
            ):
                return replace(current, polarity="hedged", value=None)  # "confirmed - but only for item 4472": which?
            if (
                following is not None
                and self._binds(following)
                and not any(r.statement.index == following.index for r in stated)
            ):
                # "I could collect it, but only if ...", "Exchange asked for. Only if the size is in stock, though."
                return replace(current, polarity="conditional", value=None)
            # past a question about it ("Ist das noch drin? Sonst bleibt's beim Grau"): the next thing said
            answered = next(
                (s for s in statements if s.body and s.index > current.statement.index and s.mood != "question"), None
            )
            if answered is not None and self._offers_otherwise(answered) and not self._ours_elsewhere(answered, stated):
                return replace(current, polarity="conditional", value=None)  # "Can I collect it? If not, post it."
            if (
                following is not None
                and self.lexicon["qualifier"].search(following.folded)
                and not any(r.statement.index == following.index for r in stated)
            ):
                return replace(current, polarity="hedged", value=None)  # "back in ~10 days but vendor won't commit"
            if (
                following is not None
                and following.sentence == current.statement.sentence
                and following.hedged
                and self._turns(following)
                and not self._concedes(following)
                and not any(r.statement.index == following.index for r in stated)
            ):
                return replace(current, polarity="hedged", value=None)  # "confirmed it, but then said it might be 4B"
            if any(
                s.body
                and s.index > current.statement.index
                and not any(r.statement.index == s.index for r in stated)
                and self.lexicon["unresolved"].search(s.folded)
                for s in statements
            ):
                return replace(current, polarity="hedged", value=None)  # "Driver: refused. Customer: nobody rang. Under
                # investigation": the writer says it is not settled
            if any(
                s.body
                and s.index > current.statement.index
                and s.conditional
                and self.lexicon["dismissal"].search(s.folded)
                for s in statements
            ):
                return replace(current, polarity="conditional", value=None)  # "swap it? if it's more, don't bother"
            if (went_on := self._goes_on_unread(kind, current, readings, statements)) is not None:
                # "Customer accepted the upgrade at +$15. Next morning she wrote that she'd thought it over and it's
                # off": the story of the thing goes on after the fact in words the reader does not read; the fact
                # is not known to be the last word, so it is unknown
                return replace(current, polarity="hedged", value=None, words=f"{current.words} … {went_on.text}")
        return current

    def _goes_on_unread(
        self, kind: str, current: _Read, readings: list[_Read], statements: list[Statement]
    ) -> Statement | None:
        """A later statement that opens with a turn or a step on in time ("but", "then", "the next day", "aber",
        "puis", "luego": the lexicon's ``contrast``, ``sequence`` and ``said_when`` words) and is about the same
        thing (a pronoun for it, or the kind's own words), yet reads as nothing of the kind: what happened to the
        fact afterwards is said in words the reader does not know, so the fact is not known to be the last word.
        A question does not undo what was said, nor does a request (it asks for more to be done with the thing: "...,
        but please ship it this week"; a request that withdraws says so in the lexicon's reversal words). The turn's
        own words are looked for at the statement's start only, whatever verb follows them: no list of undoing verbs
        is needed."""
        read_at = {r.statement.index for r in readings}
        words = self.lexicon.kinds[kind]
        for statement in statements:
            if (
                not statement.body
                or statement.index <= current.statement.index
                or statement.index in read_at
                or statement.mood in ("question", "policy", "request")
                or self._concedes(statement)
                or not self._opens_a_turn(statement)
            ):
                continue
            rest = self._after_the_turn(statement)
            if (
                self._refers_back_anywhere(rest)
                or any(w.search(rest) for w in (words.cues, words.actions, words.objects))
                or self.lexicon["negation"].search(rest)
                or (self._turns(statement) and self._elliptical(kind, rest))
            ):
                return statement
        return None

    def _elliptical(self, kind: str, rest: str) -> bool:
        """A few words with no thing of their own after a turn ("pero por la tarde escribió para echarse atrás"):
        what they say is said of what came before. Another kind's thing ("then asked for a refund") or the writer
        as its subject ("ahora el contacto soy yo") is a thing of its own."""
        if len(re.findall(r"[^\W\d_]+", rest)) > 4 or self.lexicon["first_person"].search(rest):
            return False
        return not any(other.cues.search(rest) for name, other in self.lexicon.kinds.items() if name != kind)

    def _refers_back_anywhere(self, folded: str) -> bool:
        """A word that stands for a thing said before (the lexicon's ``refer_back``: "it", "es", "ça", "eso"), or a
        pronoun that may be one (``[objects] pronouns``: in French and Spanish also the articles, "la", "le": an
        unread turn with one is taken as about the thing, an unsure reading rather than a missed undoing)."""
        if self.lexicon["refer_back"].search(folded):
            return True
        return any(re.search(rf"\b{re.escape(p)}\b", folded) for p in self._pronouns())

    def _opens_a_turn(self, statement: Statement) -> bool:
        folded = statement.folded
        if self._dated_entry(folded):
            return True
        for category in ("contrast", "sequence", "said_when"):
            found = self.lexicon[category].search(folded)
            if (
                found is not None
                and not folded[: found.start()].strip(" ,;-.")
                and not (self.lexicon["not_sequence"].search(folded, found.start(), found.end() + 12))
            ):
                return True
        return False

    def _dated_entry(self, folded: str) -> re.Match[str] | None:
        """The statement opens with a day: a later entry of a note or a thread ("19/11 Kd. nimmt den Widerruf
        zurück", "Le 15/11 elle écrit ...", "el miércoles escribió ..."), a step on in time like "then"."""
        days = "|".join(re.escape(d) for d in sorted(self.lexicon.weekdays, key=len, reverse=True))
        return re.match(rf"\s*(?:{day_in_digits(self.lexicon)}|(?:{days or '(?!)'})\b)", folded)

    def _after_the_turn(self, statement: Statement) -> str:
        folded = statement.folded
        if (day := self._dated_entry(folded)) is not None:
            folded = " " * day.end() + folded[day.end() :]
        for category in ("contrast", "sequence", "said_when"):
            folded = blank(self.lexicon, category, folded)
        return folded

    def _undoes_another_kind(self, statement: Statement, kind: str) -> bool:
        """The statement names what it takes back, and that is another kind's thing ("took the discount. Cancel
        request withdrawn", "Rabatt angenommen. Kündigung zurückgezogen"): the cancellation is undone, not the offer.
        Another kind's thing it asks for instead ("scrap that, I want an exchange") takes this one back."""
        folded = statement.folded
        return any(
            scope(folded, [span], self.lexicon) == "negated"
            for other, words in self.lexicon.kinds.items()
            if other != kind
            for span in words.cues.spans(folded)
        )

    def _concedes(self, statement: Statement) -> bool:
        """The statement opens with a concession ("aunque parece repetido", "even though it looks like a copy": the
        lexicon's ``concessive`` words): what it doubts does not doubt what came before."""
        found = self.lexicon["concessive"].search(statement.folded)
        return found is not None and not statement.folded[: found.start()].strip(" ,;-")

    def _said_of_the_rest(self, folded: str, at: int) -> bool:
        """The opposite at ``at`` is said of the other things (the lexicon's ``rest_of_it``: "the other one", "der
        Rest", "l'autre", "lo demás") named before it in its part: it says nothing of the thing the text is about."""
        part = _part_of(folded, at)
        return self.lexicon["rest_of_it"].search(folded, part[0], at) is not None

    def _takes_back_itself(self, statement: Statement) -> bool:
        """The statement says a thing and takes it back at once with a bare no after it ("I'll pay the 20 € for
        express, finalement non, pas besoin", "..., actually no", "..., doch nicht": a ``retract`` phrase that ends in
        a denial, with words before it): it takes back its own thing, not what earlier statements said."""
        folded = statement.folded
        for match in self.lexicon["retract"].finditer(folded):
            last = re.search(r"([\w']+)\W*$", match.group())
            denial = self.lexicon["negation"].search(last[1]) if last is not None else None
            if (
                last is not None
                and denial is not None
                and denial.span() == (0, len(last[1]))
                and len(re.findall(r"\w+", folded[: match.start()])) >= 3
            ):
                return True
        return False

    def _what_came_after_first(
        self, current: _Read, stated: list[_Read], statements: list[Statement]
    ) -> list[Statement]:
        """The statement says what held at first ("first declined the substitute", "primero rechazó", "zuerst
        verweigert", "earlier reported": the lexicon's ``at_first`` words), and what follows it in its sentence (or
        the next sentence), neither read for the kind nor asked, turns or goes on in time within its first words
        ("but rang back and accepted it", "luego llamó ...", "cust now says ..."): the writer marks the first as what
        no longer holds. One more event joined by "and then" takes nothing back. The statements that follow, or
        none."""
        lexicon = self.lexicon
        if lexicon["at_first"].search(current.statement.folded) is None:
            return []
        after = [s for s in statements if s.body and s.index > current.statement.index]
        # the rest of the sentence ("; cust | now says ..."), else the next sentence
        rest = [s for s in after if s.sentence == current.statement.sentence] or after[:1]
        if not rest or any(s.mood == "question" or self._ours_elsewhere(s, stated) for s in rest):
            return []
        opening = " ".join(s.folded for s in rest).lstrip(" ,;:-")[:20]
        and_then = lexicon["and_words"].regex
        if re.search(rf"\s{and_then}\s*$", current.statement.folded) or re.match(rf"{and_then}\s", opening):
            return []  # "first refused the parcel and then asked for a refund": one more event, nothing taken back
        return rest if any(lexicon[c].search(opening) is not None for c in ("sequence", "contrast")) else []

    def _restricted_to_a_number(self, statement: Statement, statements: list[Statement]) -> bool:
        """The statement restricts what it says to one record ("for that order only", "nur für", "solo para") and
        the text names a record by its number, not this one said outright: which record is it about?"""
        lexicon = self.lexicon
        restricted = lexicon["restrict"].search(statement.folded)
        if restricted is None or lexicon["this_record"].search(statement.folded, restricted.start()) is not None:
            return False
        return any(s.body and (references(s.text) or _record_numbers(s.folded)) for s in statements)

    def _this_record_left_out(self, statements: list[Statement]) -> bool:
        """The text says this record was left out ("nothing said about this order", "este pedido no se habló": the
        lexicon's ``left_out`` words with ``this_record``): what it states elsewhere is not about this record."""
        lexicon = self.lexicon
        return any(
            s.body and lexicon["this_record"].search(s.folded) and lexicon["left_out"].search(s.folded)
            for s in statements
        )

    def _left_out_beside(self, statement: Statement) -> bool:
        """A part of the statement itself says this record was left out ("posted the other invoice by hand, this
        one is untouched", "..., diese Rechnung bleibt unberührt"): what its other part states is of another record."""
        lexicon = self.lexicon
        return any(
            lexicon["this_record"].search(statement.folded, a, b) and lexicon["left_out"].search(statement.folded, a, b)
            for a, b in _parts(statement.folded)
        )

    def _offers_otherwise(self, statement: Statement) -> bool:
        """The statement opens (after a hesitation: the lexicon's ``filler``) with the other branch ("Otherwise, post
        it", "Si no, mándenmelo", "Sonst ...", "Well, or if ..."): what came just before is one of two choices, not yet
        the one."""
        rest = re.sub(r"^[\s\W_]+", "", blank(self.lexicon, "contrast", statement.folded))
        filler = self.lexicon["filler"].search(rest)
        if filler is not None and filler.start() == 0:  # "Bueno, o si hay ofertas ...": a hesitation first
            rest = re.sub(r"^[\s\W_]+", "", rest[filler.end() :])
        found = self.lexicon["otherwise"].search(rest)
        return found is not None and found.start() == 0

    @staticmethod
    def _ours_elsewhere(statement: Statement, stated: list[_Read]) -> bool:
        """The statement is itself read for the kind (it says the thing again, or denies it)."""
        return any(r.statement.index == statement.index for r in stated)

    def _offer_taken(self, current: _Read, stated: list[_Read], statements: list[Statement]) -> str | None:
        """After what was asked, someone offers something else ("Agent: we could give you three months at half
        price") and the answer assents ("Customer: oh, in that case fine", "Kunde: na gut", "Cliente: vale") without
        asking for the thing again: the offer was taken instead. An offer that names the kind's own thing ("we can
        cancel it today") or agrees to do what was asked (the lexicon's ``compliance``: "sure, we can do that") is no
        other thing. The words of the offer and the answer, or None."""
        read_at = {r.statement.index for r in stated}
        body = [s for s in statements if s.body and s.index > current.statement.index]
        for offer, answer in itertools.pairwise(body):
            if offer.index in read_at or answer.index in read_at or not self.lexicon["offer"].search(offer.folded):
                continue
            if self.lexicon["compliance"].search(offer.folded):
                continue  # "Agent: sure, we can do that today": what was asked is done, no other thing offered
            if offer.conditional or answer.conditional or answer.hedged or answer.mood == "question":
                continue
            lead = re.sub(r"^[\s\W_]+", "", re.sub(r"^\s*(?:[\w.]+\s*:\s*)?", "", answer.folded))
            assent, denial = self.lexicon["assent"].search(lead), self.lexicon["denial"].search(lead)
            if assent is not None and assent.start() == 0 and (denial is None or denial.start() > 0):
                return f"{offer.text} … {answer.text}"
        return None

    def _cues(
        self, kind: str, words: KindWords, statement: Statement, statements: list[Statement], source: Source
    ) -> tuple[list[tuple[int, int]], bool, bool]:
        """The cue spans in a statement, whether they are a full cue, and whether the kind's alternative matched."""
        folded = statement.folded
        spans = words.cues.spans(folded)
        full = bool(spans)
        alternative = words.alternative.spans(folded)
        actions = [a for a in words.actions.spans(folded) if not self._action_of_another(kind, words, folded, a)]
        field = fold(re.sub(r"[._]+", " ", source.field))
        if actions:
            neighbours = [
                s.folded for s in statements if s.body and abs(s.index - statement.index) <= 1 and s is not statement
            ]
            if words.objects.search(folded):
                spans += actions
                full = True
            elif kind == "upcharge_agreed" and any(
                price_change(n, self.lexicon) for n in [folded, *neighbours, self._sentence_of(statement, statements)]
            ):
                spans += actions  # "was $140, now $152. OK, I accept": the change is what is agreed
                full = True
            elif beside := [n for n in neighbours if words.objects.search(n)]:
                if any(words.excludes.search(n) for n in beside):
                    return [], False, False  # "agreed to wait; upgrade fee of $9 waived"
                spans += actions
                full = True
            elif words.objects.search(field) or (kind == "bank_verified" and "verif" in field):
                spans += actions
                full = True
            else:
                spans += actions
        if not spans and words.methods and "verif" in field:
            for method in words.methods.values():
                spans += method.spans(folded)
            full = bool(spans)
        if alternative:
            full = True
        if spans and words.objects_in_scope:
            spans += words.objects.spans(folded)
        return sorted(set(spans + alternative)), full, bool(alternative)

    def _action_of_another(self, kind: str, words: KindWords, folded: str, action: tuple[int, int]) -> bool:
        """The action's part of the statement names none of the kind's objects but another kind's cue: the action is
        said of that ("Pause angeboten - abgelehnt, Kündigung bleibt bestehen": what stays is the cancellation, not
        the pause)."""
        start, end = _part_of(folded, action[0])
        part = folded[start:end]
        if words.objects.search(part):
            return False
        return any(other.cues.search(part) for name, other in self.lexicon.kinds.items() if name != kind)

    @staticmethod
    def _sentence_of(statement: Statement, statements: list[Statement]) -> str:
        """The whole sentence a statement was cut from ("antes 20, | ahora 23: sin problema"), folded."""
        return " ".join(s.folded for s in statements if s.body and s.sentence == statement.sentence)

    def _statement(
        self,
        kind: str,
        words: KindWords,
        statement: Statement,
        statements: list[Statement],
        sim: float,
        source: Source,
        today: date | None,
    ) -> _Read | None:
        lexicon = self.lexicon
        spec = KINDS[kind]
        folded = statement.folded
        cues, full, alternative = self._cues(kind, words, statement, statements, source)
        if cues:
            # "instead" in "refund me instead of sending a replacement" marks the alternative not taken: it is a cue
            # only where the side chosen names the kind's thing ("a 43 instead of the 42", "plutôt qu'un
            # remboursement, envoyez-moi la taille M")
            cues = [c for c in cues if self._chosen(words, folded, c)]
        if (
            cues
            and statement.reverses
            and not alternative
            and not words.cues.spans(folded)
            and not words.objects.search(folded)
            and not self.lexicon["yes"].search(folded)
            and not any(self._refers_back(folded, end) for _, end in cues)
        ):
            # "..., then called back and said standard shipping is fine": it turns to another thing, it does not
            # agree again ("Actually, yes, I'll take it" does)
            return None
        if cues:
            # a cue inside a longer word that undoes is that word's ("contre-passée" holds "passée": undone, not done)
            undoing = [m.span() for m in lexicon["undo"].finditer(folded)]
            cues = [c for c in cues if not any(a <= c[0] and c[1] <= b and b - a > c[1] - c[0] for a, b in undoing)]
        if cues and words.opposites:
            # a cue inside the kind's opposite is the opposite's word ("regular delivery is fine": "is fine" agrees to
            # nothing extra)
            held = words.opposites.spans(folded)
            cues = [c for c in cues if not any(a <= c[0] and c[1] <= b for a, b in held)]
        if cues and statement.templates:
            # wording a template holds is no one's ("sent the claim template: 'item arrived damaged ...'")
            cues = [c for c in cues if not any(a <= c[0] < b for a, b in statement.templates)]
            if not cues:
                return None
        if cues and words.excludes:
            # an excluded word in the alternative not taken excludes nothing ("rather than waiting in for the courier
            # I'll collect it from the store")
            # ... nor one the kind's own independent words qualify ("reply to the e-mail address already on file": a
            # channel, not the thing the cue is about)
            excluded = [
                e
                for e in words.excludes.spans(folded)
                if not _in_alternative(folded, e[0], lexicon) and not words.independent.search(folded, e[1], e[1] + 24)
            ]
            # a verification field is about one thing: what it excludes anywhere ("VAT number checked, valid")
            whole_field = "verif" in fold(source.field)
            cues = [
                c
                for c in cues
                if not any(
                    whole_field or _part_of(folded, c[0]) == _part_of(folded, e[0]) or e[0] <= c[0] < e[1]
                    for e in excluded
                )
            ]
            if not cues:
                return None
        if cues:
            confidence = 0.9 if full else (0.7 if sim >= SEMANTIC_WITH_CUE else 0.4)
        elif words.opposites and words.opposites.search(folded):
            opposite = words.opposites.search(folded)
            assert opposite is not None
            if scope(folded, [opposite.span()], lexicon) != "affirmed" or statement.conditional or statement.hedged:
                return None
            if not self._ours(kind, statement, opposite.start()):
                return None
            if self._said_of_the_rest(folded, opposite.start()):
                return None  # "one chair arrived snapped. The other one is fine": nothing denied of the one named
            return _Read(statement, "negated", 0.8, None, statement.text, opposite=True)
        elif sim >= SEMANTIC_ALONE:
            confidence = sim
        else:
            return None
        at = cues[0][0] if cues else 0
        if not self._ours(kind, statement, at) or self._names_another(statement, statements, at):
            return None
        if cues and self._another_subject(words, folded, cues[0][0]):
            return None  # "our account manager for this client has left": not the customer's contact
        if cues and self._taken_back(folded, cues[-1][0]):
            # "took the 25% offer on the phone, emailed an hour later withdrawing it"
            return _Read(statement, "negated", confidence, None, statement.text)
        # the rest of the sentence, where a turn cut it mid-clause ("E-Mails sind | aber in Ordnung")
        sentence = folded + "".join(
            " " + s.folded
            for s in statements
            if s.body and s.sentence == statement.sentence and s.index > statement.index
        )
        later = [
            o
            for o in words.opposites.finditer(sentence)
            if cues
            and (o.start() >= len(folded) or _part_of(folded, o.start())[0] > _part_of(folded, cues[-1][0])[0])
            and not self._said_of_the_rest(sentence, o.start())  # "two plates cracked, the other four are fine"
        ]
        if later and scope(sentence, [later[-1].span()], lexicon) == "affirmed" and not statement.conditional:
            # "click & collect order uncollected, cust called: please deliver instead": the later part is the word
            return _Read(statement, "negated", 0.8, None, statement.text)
        state = self._checks(words, folded, cues) if spec.value == "method" else scope(folded, cues, lexicon)
        awaited = lexicon["awaited"].search(folded)
        if state == "negated" and spec.wanted_when_awaited and awaited is not None:
            state = "affirmed"  # "still no refund": it is still wanted
        question = False
        at = cues[0][0] if cues else 0
        part = _part_of(folded, at)
        # a method kind lists checks ("verified by e-mail, call-back still outstanding"): a hedge after the cue's
        # part is about another check; one before it or in it ("ich glaube, ... bestätigt") covers it
        while folded[part[0] : part[1]].rstrip().endswith(":") and part[1] < len(folded):
            part = _part_of(folded, part[1])  # "Bank verification: tried the call-back": a heading, then what was done
        own = folded[: part[1]] if spec.value == "method" else folded
        own_part = folded[part[0] : part[1]] if spec.value == "method" else folded
        following = next((s for s in statements if s.index == statement.index + 1 and s.body), None)
        if (
            state == "affirmed"
            and statement.text.rstrip().endswith("?")
            and following is not None
            and (denial := lexicon["denial"].search(following.folded)) is not None
            and denial.start() == 0
            and re.match(r"\s*(?:[,.!;]|$)", following.folded[denial.end() :])
        ):
            state = "negated"  # "cancel?? no no, I just want to change the delivery address"
        if state == "affirmed" and (gone := lexicon["abandoned"].search(folded)) is not None and gone.start() <= at:
            # "was going to exchange ..., but ...", "ich wollte erst umtauschen": an intention gone by
            goes_on = any(s.body and s.index > statement.index for s in statements)
            state = "negated" if goes_on else "hedged"
        if state == "affirmed" and self._chose_another(folded, at, statement, statements):
            state = "negated"  # "wanted to cancel, took the half-price offer instead": the wish gave way to a choice
        if state == "affirmed" and self._given_up(folded, at) and self._turns_next(statement, statements):
            state = "negated"  # "wanted to ask for a refund, but then found the part": an intention the turn gave up
        elif (
            state == "affirmed"
            and self._given_up(folded, at)
            and any(s.body and s.index > statement.index for s in statements)
        ):
            state = "hedged"  # "Cust thought the tray was warped; after comparing, it's the intended shape": a
            # belief the text goes on from is not stated as so
        if state == "affirmed" and words.minor and cues and all(self._only_the_packaging(folded, c) for c, _ in cues):
            state = "hedged"  # "the box came open and wet": the packaging, not the item, is what is said damaged
        if (
            state == "affirmed"
            and self._answers_no(statement, statements)
            and not self._asked_another_thing(words, statement, statements)
        ):
            state = "negated"  # "Posted manually? -> no, auto-posted via EDI": the answer denies what was asked
        if state == "affirmed" and self._hedged_word(folded, at):
            state = "hedged"  # "possible damage", "presunto defecto": the word itself is doubted
        if statement.conditional:
            state = "conditional"
        elif state == "affirmed":
            chosen = _without_alternatives(own, lexicon)  # "rather than waiting for the courier" hedges nothing
            doubt = lexicon["hedge"].search(blank(lexicon, "not_hedge", blank(lexicon, "polite", chosen)))
            if doubt or lexicon["qualifier"].search(chosen):
                state = "hedged"
            elif (
                self._asks(statement, at)
                and not (alternative and statement.mood == "possibility")
                and not self._answered(statement, statements, "yes")
            ):
                state, question = "hedged", True
            elif self._asks_for_an_option(words, statement):
                state, question = "hedged", True  # "Could I collect it at the store instead?": is it possible?
            elif (
                spec.needs_done
                and (
                    lexicon["plan"].search(folded, *self._governed(folded, part))
                    or self._goes_on_from_a_plan(statement, statements)
                    or self._under_a_plan_label(folded)
                    or (statement.future and spec.value != "method")
                    or self._time_ahead(folded, part, today)
                )
                and not lexicon["done"].search(own_part)  # "RIB reçu, contre-appel prévu demain": the call is planned
            ):
                state = "hedged"
            elif kind in _NEEDS_NEW_REQUEST and statement.mood != "request" and self._done_before(folded, part, today):
                return None  # "thank you for processing my cancellation": done before, not asked now
        if state == "affirmed" and self._sets_records_apart(statement):
            state = "hedged"  # "the upgrade sits on order 4410, not on 4471": which of the two is this record?
        if kind == "bank_verified" and state == "affirmed":
            state = self._verification(folded, statements, statement)
        elif state == "affirmed" and statement.holder == "claim" and "vendor" not in spec.holders:
            state = "hedged"  # "the vendor says it was already posted": a vendor's word on what only we can state
        if state == "affirmed" and words.requires and not self._evidenced(words, statements):
            state = "hedged"  # the evidence the kind needs is not in the text ("address confirmed", on no call)
        value = self._value(kind, statement, statements, today) if state == "affirmed" else None
        if state == "affirmed" and kind == "restock_eta":
            state, value = self._restock(statement, statements, today, value)
        if state == "affirmed" and statement.past and kind == "restock_eta":
            state = "negated"
        return _Read(statement, state, confidence, value, statement.text, question=question)

    def _chosen(self, words: KindWords, folded: str, cue: tuple[int, int]) -> bool:
        """A cue that is an "instead" marker counts only if the side chosen names the kind's object."""
        marker = next((m for m in self.lexicon["instead"].finditer(folded) if m.start() <= cue[0] < m.end()), None)
        if marker is None or cue[1] > marker.end():
            return True  # the cue names the alternative itself ("instead of taking the replacement"): it is the kind's
        before = folded[: marker.start()]
        if before.strip(" ¿¡,;-"):
            chosen = before
        else:  # "statt X, Y" / "statt X hätte ich lieber Y": what follows the alternative
            comma = folded.find(",", marker.end())
            chosen = folded[comma + 1 :] if comma >= 0 else folded[marker.end() :]
        return words.objects.search(chosen) is not None

    def _declined_offers(self, words: KindWords, statements: list[Statement]) -> list[_Read]:
        """An offer of the kind's thing ("we could send two 1-litre bottles instead of the 2-litre one", or the thing
        alone asked: "A substitute?") answered by the next statement with a bare no ("Customer: no thanks, leave it
        out"): the offer was refused."""
        lexicon = self.lexicon
        out = []
        body = [s for s in statements if s.body]
        for offer, answer in itertools.pairwise(body):
            # an offer said outright, or the thing alone asked back ("Ersatzprodukt? Nein danke")
            bare_question = offer.folded.rstrip().endswith("?") and len(re.findall(r"\w+", offer.folded)) <= 3
            if not (lexicon["offer"].search(offer.folded) or bare_question) or offer.conditional:
                continue
            if not any(w.search(offer.folded) for w in (words.objects, lexicon["instead"], lexicon["in_its_place"])):
                continue  # "we could send the 1L bottle instead": the thing offered in place of the one ordered
            lead = re.sub(r"^\s*(?:[\w.]+\s*:\s*)?", "", answer.folded)  # a speaker's label: "Kundin: nein danke"
            lead = re.sub(r"^[\s\W_]+", "", lead)
            denial = lexicon["denial"].search(lead)
            if denial is None or denial.start() != 0 or not re.match(r"\s*(?:[,.;!:-]|$)", lead[denial.end() :]):
                continue
            if answer.hedged or answer.conditional:
                continue
            out.append(_Read(answer, "affirmed", 0.8, True, f"{offer.text} … {answer.text}"))
        for statement in body:
            if self._answered_no_within(words, statement):
                out.append(_Read(statement, "affirmed", 0.8, True, statement.text))
        return out

    def _answered_no_within(self, words: KindWords, statement: Statement) -> bool:
        """The offer and its bare no in one statement ("You offered me the Samsung instead of the LG - no thank you,
        I'll wait"): a part after the offer's opens with a denial that ends there."""
        lexicon = self.lexicon
        folded = statement.folded
        offer = lexicon["offer"].search(folded)
        if offer is None or statement.conditional or statement.hedged or statement.mood == "question":
            return False
        if not any(w.search(folded) for w in (words.objects, lexicon["instead"], lexicon["in_its_place"])):
            return False
        for a, b in _parts(folded):
            if a <= offer.start():
                continue
            lead = re.sub(r"^[\s\W_]+", "", folded[a:b])
            denial = lexicon["denial"].search(lead)
            if denial is not None and denial.start() == 0 and re.match(r"\s*(?:[,.;!:-]|$)", lead[denial.end() :]):
                return True
        return False

    def _speaker(self, statement: Statement, statements: list[Statement]) -> str | None:
        """Who speaks in a written dialogue: the label of the nearest turn at or before the statement ("Agent: ...",
        "Mitarbeiter: ...", "Conseillère : ...", "Agente: ..."): ``staff`` when the lexicon's ``staff_speaker`` words
        are the whole label, ``third_party`` when its ``third_speaker`` words are ("Fahrer: ...", "Repartidor: ...": a
        courier's word, which no kind takes as stated); None for another label ("Customer:", "Kundin am Telefon:") or
        none: the source says."""
        for earlier in sorted(statements, key=lambda s: -s.index):
            if earlier.index > statement.index or not earlier.body:
                continue
            label = re.match(r"\s*([^\W\d_][\w .'-]{0,24}?)\s*:", earlier.folded)
            if label is None:
                continue
            for category, holder in (("staff_speaker", "staff"), ("third_speaker", "third_party")):
                named = self.lexicon[category].search(label[1])
                if named is not None and named.span() == (0, len(label[1])):
                    return holder
            return None
        return None

    def _chose_another(self, folded: str, at: int, statement: Statement, statements: list[Statement]) -> bool:
        """A wish told in the past over the cue, in its clause ("wanted to cancel", "wollte kündigen", "voulait",
        "quería": the lexicon's ``past_wish``) that what follows answers with another choice ("took the offer
        instead", "sich für einen Gutschein entschieden", "a choisi l'avoir": ``chose_other``):
        the wish gave way to that choice."""
        lexicon = self.lexicon
        wish = lexicon["past_wish"].search(folded)
        if wish is None or wish.start() > at or re.search(r"[,;:.!?]|\s[-–]\s", folded[wish.end() : at]):
            return False  # "wanted to cancel, took the offer instead": the wish is not the cue's, the choice is
        later = " ".join([folded[at:], *(s.folded for s in statements if s.body and s.index > statement.index)])
        # "voulait un remboursement, finalement il accepte un avoir": the wish answered by a later turn of mind
        return lexicon["chose_other"].search(later) is not None or lexicon["reversal"].search(later) is not None

    def _given_up(self, folded: str, at: int) -> bool:
        """An intention or a belief stands before the cue ("wanted to ask for a refund", "I thought it was cracked",
        "je croyais qu'elle était fêlée": the lexicon's ``intended`` and ``believed`` words): a turn after it gives it
        up."""
        return any(
            (found := self.lexicon[category].search(folded)) is not None and found.start() <= at
            for category in ("intended", "believed")
        )

    def _turns_next(self, statement: Statement, statements: list[Statement]) -> bool:
        """The next statement of the same sentence opens with a turn ("..., but then I found it")."""
        following = next((s for s in statements if s.index == statement.index + 1 and s.body), None)
        return following is not None and following.sentence == statement.sentence and self._turns(following)

    def _only_the_packaging(self, folded: str, at: int) -> bool:
        """What the cue says is of the packaging (the lexicon's ``wrapping`` words: "box", "Karton", "caja"; not the
        parcel, which is the shipment and what it holds) named before it
        in its clause, with no other thing named between them (an article would begin one: "the box is dented and
        the kettle cracked") and not as where the thing is ("the one in the box": the lexicon's ``inside`` words)."""
        clause = max(folded.rfind(c, 0, at) for c in ",;:.!?") + 1
        named = list(self.lexicon["wrapping"].finditer(folded, clause, at))
        if not named:
            return False
        inside = self.lexicon["inside"].pattern
        if inside is not None and re.search(rf"(?:{inside.pattern})\s+$", folded[clause : named[-1].start()]):
            return False  # "the charger in the box arrived with bent pins": a thing inside the packaging
        between = folded[named[-1].end() : at]
        return self.lexicon["article"].search(between) is None

    def _refers_back(self, folded: str, at: int) -> bool:
        """A pronoun for the earlier thing right after a cue ("I'll take it", "je le prends")."""
        return any(re.match(rf"\s+{re.escape(p)}\b", folded[at:]) for p in self._pronouns())

    def _pronouns(self) -> list[str]:
        """The words that may stand for the earlier thing (``[objects] pronouns``)."""
        return [fold(w) for w in (self.lexicon.raw.get("objects") or {}).get("pronouns", [])]

    def _hedged_word(self, folded: str, at: int) -> bool:
        """A word that doubts only the word after it stands right before the cue ("possible damage")."""
        doubt = self.lexicon["before_hedge"].pattern
        before = folded[max(0, at - 30) : at]
        return doubt is not None and re.search(rf"(?:{doubt.pattern})\s+(?:[\w']+\s+)?$", before) is not None

    @staticmethod
    def _asked_another_thing(words: KindWords, statement: Statement, statements: list[Statement]) -> bool:
        """The question the statement answers names none of the kind's words ("Duplicate? No - both are needed",
        "¿Duplicado? No, hacen falta los dos"): its "no" denies what was asked, and the kind's words after it
        stand. A question that names them ("Posted manually? -> no, auto-posted") is what the "no" denies."""
        previous = next((s for s in statements if s.index == statement.index - 1 and s.body), None)
        return previous is not None and not any(
            w.search(previous.folded) for w in (words.cues, words.actions, words.objects)
        )

    def _answers_no(self, statement: Statement, statements: list[Statement]) -> bool:
        """The statement answers the question just before it with a bare "no" ("Posted manually? -> no, ...")."""
        previous = next((s for s in statements if s.index == statement.index - 1 and s.body), None)
        return previous is not None and self._answered(previous, statements, "denial")

    def _answered(self, question: Statement, statements: list[Statement], category: str) -> bool:
        """The question is answered by the next statement opening with a bare word of the category ("denial":
        "-> no, auto-posted"; "yes": "Yes, journal entry done"), in a note that asks and answers itself."""
        if not question.text.rstrip().endswith("?"):
            return False
        answer = next((s for s in statements if s.index == question.index + 1 and s.body), None)
        if answer is None:
            return False
        # a speaker's label first ("Cliente: Sí, añádala"): the answer is what follows it
        lead = re.sub(r"^\s*(?:[\w.]+\s*:\s*)?", "", blank(self.lexicon, "sequence", answer.folded))
        lead = re.sub(r"^[\s\W_]+", "", lead)
        word = self.lexicon[category].search(lead)
        return word is not None and word.start() == 0 and re.match(r"\s*[,.;!:-]", lead[word.end() :]) is not None

    def _evidenced(self, words: KindWords, statements: list[Statement]) -> bool:
        """The evidence a kind requires is stated, not denied: "no phone verification done", "kein Telefonat" name
        a call that did not happen; and no channel the kind does not count is named anywhere in the text ("a call
        from a withheld number")."""
        if any(words.dependent.search(s.folded) for s in statements if s.body):
            return False
        return any(
            scope(s.folded, [m.span()], self.lexicon, undo_counts=False) == "affirmed"
            and not self._still_to_do(s.folded, m.start())
            for s in statements
            if s.body
            for m in words.requires.finditer(s.folded)
        )

    def _still_to_do(self, folded: str, at: int) -> bool:
        """The part that names the evidence says it is still to be had ("Phone verification still outstanding",
        "appel à faire": the lexicon's ``plan`` and ``hedge`` words in that part)."""
        start, end = _part_of(folded, at)
        part = folded[start:end]
        return self.lexicon["plan"].search(part) is not None or self.lexicon["hedge"].search(part) is not None

    def _checks(self, words: KindWords, folded: str, cues: list[tuple[int, int]]) -> Polarity:
        """A method kind's note lists checks ("confirmed by mail, no call-back"): a denied method only removes that
        method, but a denied result ("NO MATCH", "she had no knowledge of any change") denies them all."""
        lexicon = self.lexicon
        quiet = blank(lexicon, "not_negation", folded)
        channels = [*words.independent.spans(quiet), *words.dependent.spans(quiet)]
        for start, end in channels:
            quiet = quiet[:start] + " " * (end - start) + quiet[end:]
        methods = [m.span() for w in words.methods.values() for m in w.finditer(quiet)]
        states = []
        for cue in cues:
            state = scope(quiet, [cue], lexicon, undo_counts=False)
            is_method = any(a <= cue[0] < b for a, b in methods)
            if state != "affirmed" and not is_method:
                return state
            states.append(state)
        for a, b in _parts(quiet):
            piece = quiet[a:b]
            if (
                lexicon["negation"].search(blank(lexicon, "not_negation", piece))
                and not any(a <= m < b for m, _ in methods)
                and not any(a <= c < b for c, _ in cues)
                # "(not the one in the change letter)": a channel set aside, not a result denied
                and not any(a <= c < b for c, _ in channels)
            ):
                return "negated"
        return "affirmed" if "affirmed" in states or not states else states[0]

    def _done_before(self, folded: str, part: tuple[int, int], today: date | None) -> bool:
        """The part says the thing was done already ("thanks for processing my cancellation", "refund arrived"), or
        done at a time gone by ("cancellation processed 10/02")."""
        if self.lexicon["done"].search(folded, *part):
            return True
        # "Erstattung für Auftrag 118 (alter Schaden) wurde schon gezahlt": the thing, then later in its statement that
        # it was already done (the lexicon's ``done_already``: a passive with "already")
        if self.lexicon["done_already"].search(folded, part[0]):
            return True
        if self.lexicon["done_when_past"].search(folded, *part) is None:
            return False
        when = times(folded, today or date.today(), self.lexicon)
        return any(w.past for w in when) or self.lexicon["past_time"].search(folded) is not None

    def _governed(self, folded: str, part: tuple[int, int]) -> tuple[int, int]:
        """The cue's part, with the part before it when it is only a noun phrase going on from there ("doit nous
        envoyer un avoir puis une facture corrigée", "will send a credit note and then a corrected invoice"): the
        verb before governs it, so a plan there is its plan. A part with a subject of its own stands alone ("Laura
        has moved on, her replacement starts next week")."""
        if not self._continues(folded, part[0]):
            return part
        before = [p for p in _parts(folded) if p[1] <= part[0]]
        return (before[-1][0], part[1]) if before else part

    def _under_a_plan_label(self, folded: str) -> bool:
        """The statement opens with a short label before a colon that is a plan ("to do: callback ...", "À faire :
        contre-appel", "Pendiente: llamada"): everything after the label is still to be done."""
        label, colon, _ = folded.partition(":")
        if not colon or len(label.split()) > 3:
            return False
        return self.lexicon["plan"].search(label + " :") is not None

    def _goes_on_from_a_plan(self, statement: Statement, statements: list[Statement]) -> bool:
        """The statement only goes on with a noun phrase from a planned one in its sentence ("We will issue a credit
        note | and then a corrected invoice replacing INV-77"): the plan is its plan too."""
        previous = next((s for s in statements if s.index == statement.index - 1 and s.body), None)
        if previous is None or previous.sentence != statement.sentence or not previous.planned:
            return False
        return self._continues(blank(self.lexicon, "sequence", statement.folded).lstrip(" ,;-"), 0)

    def _continues(self, folded: str, at: int) -> bool:
        """A noun phrase goes on at ``at`` (the lexicon's ``continued`` words: an article, after "and" or "then")."""
        found = self.lexicon["continued"].search(folded, at)
        return found is not None and not folded[at : found.start()].strip()

    def _turns(self, statement: Statement) -> bool:
        """The statement opens with a turn ("but", "aber", "mais", "pero"): it bears on what came before."""
        found = self.lexicon["contrast"].search(statement.folded)
        return found is not None and not statement.folded[: found.start()].strip(" ,;-")

    def _binds(self, statement: Statement) -> bool:
        """The statement opens (after its turn: "but", "aber") with a condition that binds what came before ("...,
        but only if it's there by Friday", "..., mais seulement si ...")."""
        rest = blank(self.lexicon, "contrast", statement.folded).lstrip(" ,;-")
        found = self.lexicon["binding_condition"].search(rest)
        return found is not None and found.start() == 0

    def _time_ahead(self, folded: str, part: tuple[int, int], today: date | None) -> bool:
        """The cue's part names a time ahead, so a present tense means a plan ("leaves the company on 31 January",
        "geht am 31.03. in Rente"): a date more than a week away (a bare weekday may be the last one), with nothing in
        the part that marks a time gone by. A bare month is left alone: "in March" may be the last one."""
        piece = folded[part[0] : part[1]]
        lexicon = self.lexicon
        if lexicon["past_time"].search(piece) is not None:
            return False
        found = times(piece, today or date.today(), lexicon)
        return any(w.days is not None and w.days > 7 and not w.past for w in found)

    def _names_method(self, folded: str) -> bool:
        methods = self.lexicon.kinds["bank_verified"].methods.values()
        return any(m.search(folded) for m in methods)

    def _taken_back(self, folded: str, at: int) -> bool:
        """A later part of the statement takes back what the cue's part says: a retraction, or a verb that undoes or
        refuses "it" ("..., then emailed to drop it", "..., retiré par mail", "then rang back to decline it")."""
        start = _part_of(folded, at)[1]
        rest = folded[start:]
        if not rest.strip() or self.lexicon["retract"].search(rest):
            return bool(rest.strip())
        for match in itertools.chain(self.lexicon["undo"].finditer(rest), self.lexicon["refuse"].finditer(rest)):
            # "it" after the verb, or a clitic before it ("l'a retiré"); "la/le/es" after it is an article unless the
            # clause ends there ("retira la baja" takes back the cancellation, not what came before)
            if re.match(r"\s*(?:it|that|them|this)\b", rest[match.end() :]) or re.search(
                r"(?:l'|le |la |lo |es )\s*$", rest[: match.start()]
            ):
                return True
            if re.match(r"\s*(?:lo|la|los|las|le|les|l'|es|sie|ihn)\s*(?:[,.;!]|$)", rest[match.end() :]):
                return True
            if self._bare_passive(rest, match):
                return True
        return False

    def _bare_passive(self, rest: str, verb: re.Match[str]) -> bool:
        """An undoing verb with no subject of its own, only auxiliaries before it in its part and nothing after it
        ("..., and has been reversed", "und wurde storniert", "et a été annulée", "cancelling."): it undoes what the
        earlier part said."""
        a, b = _part_of(rest, verb.start())
        before = re.sub(rf"^\s*{self.lexicon['and_words'].regex}\s+", "", rest[a : verb.start()])
        before = blank(self.lexicon, "auxiliary", blank(self.lexicon, "sequence", before))
        # "..., am 23.11. per Mail widerrufen", "puis extournée le 19/11": when and how it was undone is no subject
        before = re.sub(adverbials(self.lexicon), " ", before)
        after = rest[verb.end() : b]
        return not before.strip(" ,;-") and (
            not after.strip(" ,;:.!-") or re.fullmatch(adverbials(self.lexicon) + r"[\s,;:.!()-]*", after) is not None
        )

    def _sets_records_apart(self, statement: Statement) -> bool:
        """The statement names two records and denies one ("on order 4410, not on 4471"), and does not say which of
        them is this one: the reader cannot tell which record the fact is about."""
        if statement.about == "this" or len(set(references(statement.text))) < 2:
            return False
        return self.lexicon["negation"].search(blank(self.lexicon, "not_negation", statement.folded)) is not None

    def _asks(self, statement: Statement, at: int) -> bool:
        """The cue is asked, not stated: the statement is a question (not a request), and the cue is in its last
        part or the question opens the statement ("the zip is off, can one replace it?" states the damage)."""
        if statement.mood not in ("question", "possibility", "policy"):
            return False
        opener = self.lexicon["question_openers"].search(statement.folded)
        if opener is not None and not statement.folded[: opener.start()].strip(" ¿"):
            return True  # "is click and collect available on big items?": asked from its first word
        part = _part_of(statement.folded, at)
        opens = self.lexicon["question_openers"].search(statement.folded, part[0], part[1])
        if opens is not None and not statement.folded[part[0] : opens.start()].strip(" ¿"):
            return True  # "one thing before I buy - can sale items be swapped ...?": the cue's own part asks
        indirect = self.lexicon["indirect_question"].search(statement.folded)
        if indirect is not None and indirect.start() <= at:
            return True  # "asks whether a refund is possible on sale items - policy sent": the cue is what is asked
        parts = _parts(statement.folded)
        if len(parts) <= 1 or _part_of(statement.folded, at) == parts[-1]:
            return True
        first = statement.folded[: parts[0][1]]
        lexicon = self.lexicon
        return any(
            (m := lexicon[c].search(first)) is not None and m.start() <= 3
            for c in ("question", "possibility", "request")
        )

    @staticmethod
    def _asks_for_an_option(words: KindWords, statement: Statement) -> bool:
        """A question in which the first person asks whether they may do what the kind names (its ``asked`` words:
        "Could I collect it at the store?", "¿Puedo recogerlo en tienda?"): for an option of service it asks
        whether it is possible; asking us to do it ("Could you hold it at the branch?") asks for it."""
        asked = statement.text.rstrip().endswith("?")
        return bool(words.asked) and asked and words.asked.search(statement.folded) is not None

    def _ours(self, kind: str, statement: Statement, at: int) -> bool:
        """The statement is the writer's (or the customer's) and about this record: not a third party's words or
        situation, not another record, not a rule or a footer."""
        spec = KINDS[kind]
        folded = statement.folded
        part = _part_of(folded, at)
        # a rule said after the cue's part is not what that part says ("I want a refund - your help page said ...")
        general = statement.about == "general" and any(
            m.start() < part[1] for m in self.lexicon["general"].finditer(folded)
        )
        if general or any(a <= at < b for a, b in statement.templates):
            return False  # a rule, a footer, or wording a template holds ("sent the claim template: '...'")
        # another record named only in the alternative not taken ("instead of another delivery attempt") is no other
        others = [
            m for m in other_records(folded, self.lexicon) if not _in_alternative(folded, m.start(), self.lexicon)
        ]
        other = next((m for m in others if part[0] <= m.start() < part[1]), None)
        this = self.lexicon["this_record"].search(folded, *part)
        if other is not None and this is None:
            return False
        if other is None and this is None and others:
            return False
        for start, end in statement.third_party_at:
            if start > at:
                if not spec.proxy and self._done_by(folded, at, start):
                    return False  # "adresse confirmée par la voisine": the third party did it
                continue
            if self.lexicon["first_person"].search(folded, end, at) is None and not (
                spec.proxy and statement.about != "other"
            ):
                return False
        return True

    @staticmethod
    def _another_subject(words: KindWords, folded: str, at: int) -> bool:
        """The cue's subject is one the kind is not about (the kind's ``other_subjects``: our own account manager
        for a departure), named before it in the statement with none of the kind's own ``subjects`` after it."""
        named = list(words.other_subjects.finditer(folded, 0, at))
        return bool(named) and words.subjects.search(folded, named[-1].end(), at) is None

    def _done_by(self, folded: str, at: int, third: int) -> bool:
        """The third party named at ``third`` did what the cue at ``at`` names: in its part, right after "by", "par",
        "von", "por" (the lexicon's ``agent`` words)."""
        agent = self.lexicon["agent"].pattern
        part = _part_of(folded, at)
        return (
            agent is not None
            and part[0] <= third < part[1]
            and re.search(rf"(?:{agent.pattern})\s+$", folded[part[0] : third]) is not None
        )

    def _names_another(self, statement: Statement, statements: list[Statement], at: int) -> bool:
        """The text names this record by its number ("this order (#5513) stays on standard delivery", "this one
        (6620) ships") and the statement names only other numbers ("accepted on order #5512"), in the cue's part
        where that names one ("note on 6620: cancelled 6619 (the duplicate)"): it is about another record. A bare
        number counts where it is as long as this record's (a sibling's number, not an amount)."""
        this: set[str] = set()
        for other in statements:
            if other.body:
                for match in self.lexicon["this_record"].finditer(other.folded):
                    after = other.folded[match.end() : match.end() + 16]
                    this.update((_record_numbers(after) or re.findall(r"^\W{0,3}(\d{3,})\b", after))[:1])
        if not this:
            return False
        part = statement.folded[slice(*_part_of(statement.folded, at))]
        lengths = {len(n) for n in this}
        named = set(_record_numbers(part)) | {n for n in re.findall(r"(?<![\w.,/:])\d{3,}(?![\w.,/:])", part)
                                              if len(n) in lengths}  # fmt: skip
        named = named or set(_record_numbers(statement.folded))
        return bool(named) and not named & this

    def _verification(self, folded: str, statements: list[Statement], statement: Statement) -> Polarity:
        """``bank_verified``'s evidence rule: a channel independent of the change request (a number or address
        already on file, a portal, the bank's own confirmation); a number or a claim from the request itself, or
        the vendor's own word, never is."""
        lexicon = self.lexicon
        words = lexicon.kinds["bank_verified"]
        text = " ".join(s.folded for s in statements if s.body)
        if statement.holder == "claim":
            return "negated"
        for start, end in words.independent.spans(text):  # "the number on last year's paid invoice" is on file
            text = text[:start] + " " * (end - start) + text[end:]
        for match in words.dependent.finditer(text):
            before = text[max(0, match.start() - 12) : match.start()]
            if re.search(r"(?:not|nicht|pas|no|kein\w*)\s+(?:the\s+|in\s+)?$", before):
                continue
            if re.search(r"\(\s*(?:not|nicht|pas|no|kein\w*)\b", match.group()):
                continue  # "the number on our 2021 contract (not the one in their letter)": an aside that denies it
            # the channel named only as the one not used: "(not the one in the letter)", "(pas celle de l'expéditeur)"
            a = _part_of(text, match.start())[0]
            if not lexicon["negation"].search(blank(lexicon, "not_negation", text[a : match.start()])):
                return "negated"
        return "affirmed"

    def _value(self, kind: str, statement: Statement, statements: list[Statement], today: date | None) -> object:
        spec = KINDS[kind].value
        if spec == "amount":
            return self._amount(kind, statement, statements)
        if spec == "days":
            return None  # read with the statement's times (see _restock)
        if spec == "method":
            return bank_method(" ".join(s.text for s in statements if s.body))
        return True

    def _amount(self, kind: str, statement: Statement, statements: list[Statement]) -> float | None:
        """The amount the agreement is about: one written with the kind's object ("+$20", "the extra £7.50", "15 €
        extra"), else a price said to have changed ("was 19, now 24"), else one in the statement or next to it."""
        words = self.lexicon.kinds[kind]
        near = [s for s in statements if s.body and abs(s.index - statement.index) <= 1]
        text = " ".join(s.folded for s in statements if s.body)
        changed = price_change(text, self.lexicon)
        if changed is not None and (
            not amounts(statement.folded)
            or self.lexicon["difference"].search(statement.folded) is not None
            or price_change(statement.folded, self.lexicon) is not None  # "ancien prix 89 €, nouveau prix 104 €"
        ):  # "passé de 19 € à 24 €, le client accepte de payer la différence": the difference is agreed
            return changed  # "vorher 49 €, jetzt 56 € ... einverstanden, den Differenzbetrag zu zahlen"
        own = amounts(statement.folded)
        if self.lexicon["difference"].search(statement.folded) is not None and len(own) == 2 and own[1] > own[0]:
            return round(own[1] - own[0], 2)  # "the 3-seater at 890 € swapped for the corner at 1 040 €, pays the gap"
        for s in [statement, *near]:
            for match in words.objects.finditer(s.folded):
                found = amounts(s.folded[max(0, match.start() - 12) : match.end() + 12])
                if found and re.search(r"\d", s.folded[max(0, match.start() - 12) : match.end() + 12]):
                    return found[-1]
        found = amounts(statement.folded) or [a for s in near for a in amounts(s.folded)]
        if found:
            return found[-1]
        # "the extra 5", "49 more": a bare figure beside it, in the statement or the one next to it ("... another 18
        # right? yes charge it")
        for folded in [statement.folded, *(s.folded for s in near)]:
            for match in words.objects.finditer(folded):
                after = re.match(r"\s+(\d+(?:[.,]\d{1,2})?)(?![\w.,%]*\d|\s*%)", folded[match.end() :])
                before = re.search(r"(?<![\w.,])(\d+(?:[.,]\d{1,2})?)\s+$", folded[: match.start()])
                unit = re.match(r"\s*([^\W\d_]+)", folded[match.end() + after.end() :]) if after else None
                if after and unit and unit[1] in self.lexicon.units:
                    continue  # "the extra 2 days": a duration, not money
                inside = re.search(r"(?<![\w.,])(\d+(?:[.,]\d{1,2})?)(?![\w.,]*\d)", match.group())
                if bare := inside or after or before:
                    return float(bare[1].replace(",", "."))
        return None

    def _restock(
        self, statement: Statement, statements: list[Statement], today: date | None, value: object
    ) -> tuple[Polarity, object]:
        """When the restock comes: the last time named ahead in the statement (a later mention is the newer), or
        in its sentence; one named only in an undone part does not count; an ambiguous date is a hedge."""
        pool = [statement] + [
            s for s in statements if s.body and s.sentence == statement.sentence and s.index > statement.index
        ]
        for s in pool:
            found = [
                w
                for w in times(s.folded, today, self.lexicon)
                if not self._undone_at(s.folded, w.start) and not self._dates_a_message(s.folded, w.start)
            ]
            if any(w.days is not None and w.days > 0 and not w.past for w in found):
                # "in three weeks, the rep confirmed today": the day of the saying is not a second, later word
                found = [w for w in found if not self._dates_a_saying(s.folded, w)]
            if not found:
                continue
            ahead = [w for w in found if w.days is not None and not w.past]
            if any(w.ambiguous for w in found) and not ahead:
                return "hedged", None
            if ahead:
                return "affirmed", ahead[-1].days
            if any(w.past for w in found):
                return "negated", None
        return "affirmed", None

    def _dates_a_message(self, folded: str, at: int) -> bool:
        """The time at ``at`` is when a message was sent ("email from this morning", "Mail von heute früh", "correo
        de hoy": the lexicon's ``sent_at`` words a few words before it, within its clause), not when the stock comes."""
        for m in self.lexicon["sent_at"].finditer(folded, max(0, at - 40), at):
            between = folded[m.end() : at]
            if not re.search(r"[.;,:!?]", between) and len(between.split()) <= 2:
                return True
        return False

    def _dates_a_saying(self, folded: str, when: When) -> bool:
        """The time is today or gone by and dates a saying right beside it ("hat ... heute bestätigt", "confirmed
        today", "lo confirmó ayer": the lexicon's ``said_on`` words, one word at most between): when it was said, not
        when the stock comes (asked only where another time ahead is named)."""
        if when.days is None or when.days > 0:
            return False
        said = self.lexicon["said_on"].regex
        return bool(
            re.match(rf"\s+(?:[\w']+\s+)?{said}(?!\w)", folded[when.end :])
            or re.search(rf"(?<!\w){said}\s+(?:[\w']+\s+)?$", folded[: when.start])
        )

    def _undone_at(self, folded: str, at: int) -> bool:
        a, b = _part_of(folded, at)
        return self.lexicon["undo"].search(folded, a, b) is not None or _changed_from(folded, at, self.lexicon)


#: A part that only goes on with a noun phrase: an optional "then" and an article ("puis une facture", "and then a
#: corrected invoice", "y luego la factura", "und dann eine Gutschrift").

#: A record's number as notes write it: "#5512", "# 5512", or a reference of a usual shape ("PO-4471", "100234").
_RECORD_NUMBER = re.compile(r"#\s?(\w*\d{3,})|(?<![\w.,])([a-z]{1,4}-?\d{3,}|\d{5,})(?![\w.,])")


def _record_numbers(folded: str) -> list[str]:
    return [a or b for a, b in _RECORD_NUMBER.findall(folded)]


#: A staff member's initials that close a record's line: two or three capitals after a comma, a dash or a bracket
#: ("(verified call 24/11, JP)", "- GH").
_INITIALS = re.compile(r"[(,\-–—]\s*[A-Z]{2,3}\)?\s*$")


def _initialled(statements: Sequence[Statement]) -> bool:
    """The text's last body statement ends with a staff member's initials: the field's name guessed its writer
    (an address line is the customer's), the initials say who wrote it."""
    last = next((s for s in reversed(statements) if s.body), None)
    return last is not None and _INITIALS.search(last.text) is not None


#: Kinds asked for now: one done before ("thank you for processing my cancellation") is no request.
_NEEDS_NEW_REQUEST = frozenset({"cancel_intent", "refund_request", "exchange_intent"})


@cache
def _prototypes(lexicon: Lexicon, kind: str) -> np.ndarray:
    """A kind's prototype vectors, kept on disk like any text's: a worker whose statements were all embedded before
    never loads the model."""
    return embed_texts_cached(list(lexicon.kinds[kind].prototypes))
