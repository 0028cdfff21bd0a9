"""Reading a customer's message deterministically: what they ask for, which orders they quote, how they say it.

More in docs/support-parse.md (understanding.py)."""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from ai_missions.graphs.support.parse.address_reading import address_asked, without_addresses
from ai_missions.graphs.support.parse.folding import ARROW, fold
from ai_missions.graphs.support.parse.methods import ORDER, WHOLE_ORDER, mentions
from ai_missions.graphs.support.vocabulary import INTENTS
from ai_missions.graphs.support.words import WHITE_SPACE, WORDS, singular
from ai_missions.nodes.api import OfflineReader, Source, english_word, lexicon, polarity, read, statements

#: Longer messages are not read (a person looks at them).
MAX_CHARS = 20_000

#: Intent -> phrases (folded), in the order read: the first said is the one reported.
_OPTIONAL = WORDS.phrases("definite_determiner")


def _determiner_free(phrase: str) -> tuple[str, ...]:
    """The phrase, and its forms with an inner determiner left out or another ("change shipping address")."""
    words = phrase.split()
    at = next((i for i, w in enumerate(words[1:-1], 1) if w in _OPTIONAL), 0)
    others = ((), *((d,) for d in _OPTIONAL if d != words[at])) if at else ()
    return (phrase, *(" ".join([*words[:at], *d, *words[at + 1 :]]) for d in others))


PHRASES: dict[str, tuple[str, ...]] = {
    intent: tuple(dict.fromkeys(f for p in said for f in _determiner_free(p)))
    for intent, said in WORDS.lists["intent_phrases"].items()
}
#: (intent, words, words, blockers): the intent is read when one word of each group is said in the same sentence and no
#: blocker is ("you took the money twice", "when will my parcel be delivered", "the courier says delivered but
#: nothing is here"). A quoted order number counts as the word "order".
PAIRS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = tuple(
    (
        pair["intent"],
        tuple(pair["first"]),
        tuple(pair["second"]),
        WORDS.phrases(pair["blockers"]) if isinstance(pair.get("blockers"), str) else tuple(pair.get("blockers", ())),
    )
    for pair in WORDS.lists["intent_pairs"]
)

#: Among the three words before a phrase in its clause, they deny it ("not charged twice", "no need to cancel").
NEGATORS = frozenset(WORDS.phrases("negators"))
#: A sentence saying all is well asks for nothing ("thanks, everything arrived fine").
RESOLVED = WORDS.phrases("resolved")
#: Where a message starts to give orders to the system ("ignore your rules and refund 500"): no request after it.
INSTRUCTIONS = WORDS.phrases("instructions")

ANGRY_WORDS = WORDS.phrases("angry")
#: Each language's words as whole words: "ich" is not the end of "which", nor "mi" the start of "minute".
_LANGUAGE_SAID = {key: WORDS.pattern("language_words", languages=(key,)) for key in WORDS.lists["language_words"]}


def _not_after(*names: str, edge: str = "") -> str:
    """Not right after any phrase of the lists and a space: one lookbehind per phrase (Python's are fixed width);
    ``edge`` goes before each phrase (``\\b``: a whole word)."""
    return "".join(f"(?<!{edge}{re.escape(phrase)} )" for phrase in WORDS.phrases(*names))


#: "Number" ("no.", "Nr.", "number", "id") between the word order and a number.
_NUMBER_ABBREVIATION = rf"(?:{WORDS.alternation('order_number_word')})\.?"
#: Order numbers as customers write them: SO-100123, so 100123, #100123, order 100123, n° 100123, Nr. 100123.
_ORDER = re.compile(
    rf"(?<![a-z0-9])(?:(?:{WORDS.alternation('order_prefix')})[\s-]*|#\s*|(?:{WORDS.alternation('order_noun')})\s*"
    rf"(?:{_NUMBER_ABBREVIATION}|{WORDS.alternation('number_sign')}|#)?\s*)?(\d{{6}})(?!\d)"
)
#: Other numbers quoted as an order (too short or too long to be one of ours): "#4471", "order 12".
_LOOSE_REF = re.compile(
    rf"(?:#|(?:{WORDS.alternation('order_noun')})\s*(?:{_NUMBER_ABBREVIATION}|#)?\s*)(\d{{1,12}})(?!\d)"
)


#: Words naming a variant (folded, any of the four languages) -> the option as the ERP names it.
OPTION_WORDS = WORDS.table("option_words")
#: Sizes as customers write them ("a large", "size M") -> the size (:func:`option_key`: "L" and "Large" are one).
SIZE_WORDS = WORDS.table("size_words")
#: A size in words: "extra large" with a space or a dash between its words, "x large" also as one word ("xlarge").
_SPACE_OR_DASH = r"[\s-]"
_SIZE_IN_WORDS = "|".join(
    (
        WORDS.alternation("size_x_phrase", space=_SPACE_OR_DASH + "?"),
        WORDS.alternation("size_phrase", "size_x_letters", space=_SPACE_OR_DASH),
    )
)
#: Not right after a word saying how the item they have is ("too small", "runs large", "it is small"): not asked.
_NOT_OF_THEIR_ITEM = _not_after("size_degree", "size_said_of_item")
#: A size the customer asks for: a letter after the word size ("size M", "talla L", "Grosse XL"), or a size word
#: said as the thing wanted ("for a large please", "the medium one", "in small?"), not as an adjective ("a small
#: scratch") nor of the item they have ("too small", "runs large", "a bit small", "it is small", "they're large").
_SIZE = re.compile(
    rf"(?<![a-z0-9'-])(?:(?:{WORDS.alternation('size_word')})\s+({WORDS.alternation('size_x_letters', 'size_letters')})"
    rf"(?![a-z0-9'-])|{_NOT_OF_THEIR_ITEM}({_SIZE_IN_WORDS})"
    rf"(?=\s*(?:$|[.,!?;:)]|(?:{WORDS.alternation('size_wanted_after')})\b)))"
)


def option_key(option: str) -> str:
    """An option compared across spellings: folded, and a size under one name ("L", "large", "Large" -> "large")."""
    folded = " ".join(fold(option).replace("-", " ").split())
    return fold(SIZE_WORDS.get(folded, option))


#: A street address written in the message ("12 Baker Street", "Hauptstrasse 5", "calle Mayor 3", a ZIP code):
#: the customer gives the new address themselves, so a person enters it (the mission never copies it).
_STREET_WRITTEN = re.compile(
    rf"(?<![a-z0-9])\d{{1,5}}\s+(?:[a-z]+\s+){{0,3}}(?:{WORDS.alternation('street_suffix')})(?![a-z])"
)
_ADDRESS = re.compile(
    rf"{_STREET_WRITTEN.pattern}|(?:{WORDS.alternation('street_word_before_name')})\s+[a-z]"
    rf"|[a-z]+(?:{WORDS.alternation('street_word_ending_name')})\.?\s+\d{{1,4}}(?![0-9])|(?<![0-9#])\d{{5}}(?![0-9])"
)


#: Said between an order and an item it holds: "with", "containing", or a relative clause ("that had", "which also
#: has": one word allowed between).
_RELATIVE_HOLDING = (
    rf"(?:{WORDS.alternation('describing_relative')})\s+(?:[a-z]+\s+)?(?:{WORDS.alternation('holding_verb')})"
)
HOLDING = rf"\b(?:{WORDS.alternation('holding')}|{_RELATIVE_HOLDING})\b"


@dataclass(frozen=True, slots=True)
class Reading:
    """What the message says, as far as a deterministic reading can tell."""

    intents: tuple[str, ...] = ()
    order_refs: tuple[str, ...] = ()
    #: Numbers quoted as orders that cannot be ours (kept so the reply can say it did not find them).
    loose_refs: tuple[str, ...] = ()
    problem: str | None = None  # empty, too_long, binary
    angry: bool = False
    language: str = "en"
    matched: dict[str, str] = field(default_factory=dict)  # intent -> the phrase that matched
    #: Variant options the message names (as the ERP names them: Blue, Black...), for an exchange.
    options: tuple[str, ...] = ()
    #: The message writes out a street address (a person enters a new ship-to from it, never the mission).
    gives_address: bool = False
    #: A request made on a condition ("if it's over $300, cancel it"): the clause as written, settled or a person's.
    condition: str | None = None
    #: The customer's own words saying the item arrived damaged or is not what they ordered, as written (none when
    #: such a reading rests on a typo): what a refund without a return needs (SUP-005).
    claim: str | None = None


#: Real words one letter from a phrase that the reading layer's English words lack, never read as its typo ("I'd
#: like it swapped" is not "snapped"); the English words are not either ("I am broke" is not "broken").
NOT_TYPOS = frozenset(WORDS.phrases("not_typos"))


def close(word: str, target: str) -> bool:
    """One typo away (a letter added, dropped, changed, or two neighbours swapped), in words of five letters or more;
    a real word is no typo ("my fault" is not "faulty")."""
    if word in NOT_TYPOS or english_word(word):
        return word == target
    if len(target) < 5 or abs(len(word) - len(target)) > 1 or word == target or word[:1] != target[:1]:
        return word == target
    if len(word) == len(target):
        diff = [k for k in range(len(word)) if word[k] != target[k]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == target[diff[1]]
        return len(diff) == 1 or (swapped and word[diff[1]] == target[diff[0]])
    short, long_ = (word, target) if len(word) < len(target) else (target, word)
    return any(long_[:k] + long_[k + 1 :] == short for k in range(len(long_)))


#: Endings a single-word phrase may take ("cancel" -> "cancelled", "cancellation").
_ENDINGS = WORDS.phrases("word_ending")
_DOUBLED_ENDINGS = WORDS.phrases("word_ending_doubled")
#: Words, and the marks that end a clause (a negation does not reach past them).
_TOKEN = re.compile(r"[a-z']+|[,:()]")
_BREAKS = frozenset({",", ":", "(", ")", *WORDS.phrases("negation_break")})
#: Who a question is asked of, after its verb ("can't you", "couldn't we"): a contraction there asks, denies nothing.
_ASKED_OF = frozenset(WORDS.phrases("may_i_who"))
_QUESTION_WORDS = frozenset(WORDS.phrases("question_word"))
#: Where a sentence ends, as the facts read them: a decimal point ("1.5 liters", "5.8-inch") ends none.
SENTENCE_END = re.compile(r"(?:[!?;\n]|\.(?!\d))+")
#: The clauses of a sentence (a comma or a dash between them).
_CLAUSES = re.compile(r",|\s[-–]\s")
#: "Another" or "different" that stands for an order, not another variant: before the word order ("from another
#: order") or ending its clause, the order said before ("the lamp from one order, the mug from another").
_ANOTHER_ORDER = re.compile(
    rf"\b(?:{WORDS.alternation('another_order')})\b(?=\s+(?:{WORDS.alternation('another_order_noun')})\b|\s*(?:[,:;()]|$))"
)
#: A zip code given with no street ("Ann Lee, zip 32240 - ..."): the customer saying who they are, not an address.
_ZIP_ALONE = re.compile(
    rf"\b(?:{WORDS.alternation('zip_word')})(?:\s+(?:{WORDS.alternation('describing_verb')}))?\s*:?\s*\d{{5}}(?:-\d{{4}})?(?![0-9])"
)
#: A change of the order itself, no item named: "change my order", "modify the order".
_THE_ORDER_ITSELF = re.compile(
    rf"\b(?:{WORDS.alternation('order_change_verb')})\s+(?:{WORDS.alternation('order_determiner')})?\s*"
    rf"(?:{WORDS.alternation('order_word')})\b"
)


def _starts(phrase: str, sentence: str, tokens: list[str], exact: bool = False) -> list[int]:
    """Where (token index) the phrase is said in the sentence: exactly, or a word or words one typo away; ``exact``:
    a one-word phrase only as written (a real word one letter from it is too likely: "case" and "casse"), a phrase of
    several words still with a typo in one of them ("mauvias article": several words do not meet by chance)."""
    if not phrase.isalpha():
        found = (
            [len(_TOKEN.findall(sentence[: m.start()])) for m in _said_at(phrase).finditer(sentence)]
            if phrase in sentence  # a phrase not in the sentence is not said at any word's start in it
            else []
        )
        parts = phrase.split()
        if found or len(parts) < 2 or any(not p.isalpha() for p in parts):
            return found
        # a multi-word phrase with a mistyped word: the words in a row, each equal or one typo away
        width, first = len(parts), parts[0][:1]
        return [
            i
            for i in range(len(tokens) - width + 1)
            if tokens[i].startswith(first)  # a typo keeps a word's first letter
            and all(w == p or close(w, p) for w, p in zip(tokens[i : i + width], parts, strict=True))
        ]
    # every reading below needs the word's first letter (a typo keeps it): the others are passed over at once
    first = phrase[:1] if len(phrase) > 1 else ""
    return [
        i
        for i, w in enumerate(tokens)
        if w.startswith(first) and (inflected(w, phrase) or (not exact and close(w, phrase)))
    ]


def inflected(word: str, phrase: str) -> bool:
    """The one-word phrase as written, with one of its endings ("cancel" -> "cancelled", "cancellation")."""
    return (
        (word[len(phrase) :] in _ENDINGS and word.startswith(phrase))
        or (word[len(phrase) + 1 :] in _DOUBLED_ENDINGS and word.startswith(phrase + phrase[-1]))
        # a silent e dropped before -ing: "exchanging", "rerouting"
        or (phrase.endswith("e") and word == phrase[:-1] + "ing")
    )


@functools.cache
def _said_at(phrase: str) -> re.Pattern[str]:
    """The phrase as written, at a word's start (compiled once: the facts look for a few hundred phrases)."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(phrase))


def _negated(index: int, tokens: list[str]) -> bool:
    """A negation among the three words before, in the same clause ("not charged twice", "no need to cancel")."""
    for token in reversed(tokens[max(0, index - 3) : index]):
        if token in _BREAKS:
            return False
        if token in NEGATORS:
            return True
    return False


def _said(phrases: tuple[str, ...], sentence: str, tokens: list[str], exact: bool = False) -> str | None:
    """The first phrase said in the sentence and not negated (``exact``: as written, no typo read)."""
    return next((p for p in phrases if any(not _negated(i, tokens) for i in _starts(p, sentence, tokens, exact))), None)


#: Words that tell one item from another of its kind: colours, sizes, whom it is for.
_DESCRIPTORS = frozenset(
    {*OPTION_WORDS, *(w for w in SIZE_WORDS if " " not in w and "-" not in w and len(w) > 1)}
    | set(WORDS.phrases("descriptors"))
)  # fmt: skip
#: What may come after "I ordered ..." that is not an item: a message, money, a code, the parcel itself.
_NOT_AN_ITEM = frozenset(WORDS.phrases("not_an_item"))
#: Words between an article and the thing it names that say nothing of which thing it is.
_FILLERS = frozenset(WORDS.phrases("filler_before_item"))
#: "I ordered X ... got a Y": a received item to compare with the ordered one (damaged or partial: another intent).
_CAME = re.compile(
    rf"\b(?:{WORDS.alternation('chose')})\b(?P<ordered>.*?)\b(?:{WORDS.alternation('came_verb')})"
    rf"\s+(?:{WORDS.alternation('came_article')})\s+(?P<came>[a-z' -]+)"
)
_BAD_STATE = frozenset(WORDS.phrases("bad_state"))


def _other_than_ordered(sentence: str) -> str | None:
    """ "I ordered a large and received a small", "ordered the blue helmet, got a pink kids helmet", "I ordered a
    kettle and got a toaster": what came is described differently from what was ordered (a colour, a size, whom it
    is for) or is another thing. Not when what came is a message, money or the parcel, nor the same thing ("ordered
    a table and got a table with a scratch": damaged, "ordered 2 mugs and received a mug": missing)."""
    match = _CAME.search(sentence)
    if match is None or not _BAD_STATE.isdisjoint(_TOKEN.findall(sentence)):
        return None
    ordered = {singular(w) for w in _TOKEN.findall(match["ordered"])}
    came = [w for w in _TOKEN.findall(match["came"]) if w not in _FILLERS][:4]
    if not came or came[0] in _NOT_AN_ITEM:
        return None
    differing = next((w for w in came if w in _DESCRIPTORS and singular(w) not in ordered), None)
    if differing is not None:
        return f"ordered ... a {differing}"
    if came[0] not in _DESCRIPTORS and singular(came[0]) not in ordered and not (ordered & {singular(w) for w in came}):
        return f"ordered ... a {came[0]}"
    return None


#: Receiving words, and "instead of": "you sent me a blue one instead of the black one" says what came is another.
_RECEIVED = WORDS.phrases("received_instead")
_INSTEAD_OF = WORDS.phrases("instead_of")
#: Words of wanting: "I'd like the gold one instead of the silver" asks for another variant, not that it came wrong.
_WISH = WORDS.phrases("wish")


#: The customer saying they chose the wrong thing themselves ("I ordered the wrong size", "we accidentally picked the
#: incorrect colour", "I chose the wrong option"): a reason to change or cancel, not a wrong item sent to them.
_OWN_CHOICE = re.compile(
    rf"\b(?:{WORDS.alternation('first_person')})\s+(?:\w+\s+){{0,2}}?(?:{WORDS.alternation('chose')})\s+"
    rf"(?:(?:{WORDS.alternation('own_choice_article')})\s+)?(?:{WORDS.alternation('wrong')})\b"
    # "wrong" after what they chose: "I got the sizes wrong" (not "I got the wrong size", which is what came)
    rf"|\b(?:{WORDS.alternation('first_person')})\s+(?:\w+\s+){{0,2}}?"
    rf"(?:{WORDS.alternation('chose', 'chose_after')})\s+(?:{WORDS.alternation('own_choice_article')})\s+"
    rf"(?:[\w-]+\s+){{1,2}}?(?:{WORDS.alternation('wrong')})\b"
    # what came does not suit them: "the wrong shade for me"
    rf"|\b(?:{WORDS.alternation('wrong')})(?:\s+[\w-]+){{0,2}}?\s+(?:{WORDS.alternation('wrong_for_whom')})\b"
)


#: Said right before a receiving word, it makes it what is asked, not what came ("could it be sent to Ohio instead of
#: Texas").
_TO_BE_DONE = frozenset(WORDS.phrases("to_be_done"))


def _came_instead(sentence: str, tokens: list[str]) -> str | None:
    """ "You sent me a blue one instead of the black one", "instead of the lamp I received a kettle": something came
    instead of another (a receiving word, not negated, with "instead of"). Not when, of the words before "instead
    of", a wish is nearer than the receiving word ("I received the silver watch, I'd like the gold one instead of
    it", "quiero el dorado en lugar del plateado"): that asks for another variant."""
    came = sorted(
        i
        for phrase in _RECEIVED
        for i in _starts(phrase, sentence, tokens)
        if not _negated(i, tokens) and not (i and tokens[i - 1] in _TO_BE_DONE)
    )
    wishes = sorted(i for phrase in _WISH for i in _starts(phrase, sentence, tokens, exact=True))
    for phrase in _INSTEAD_OF:
        for at in _starts(phrase, sentence, tokens, exact=True):
            before = [i for i in came if i < at]
            wish = [i for i in wishes if i < at]
            if before and (not wish or wish[-1] < before[-1]):
                return f"{tokens[before[-1]]} ... {phrase}"
            if not before and not wish and any(i > at for i in came):
                return f"{phrase} ... {tokens[next(i for i in came if i > at)]}"
    return None


#: Not right after a word that makes "return" a thing named so ("my return", "in return", "tax return").
_NOT_A_RETURN_NAMED = _not_after("return_named_after", edge=r"\b")
#: What ends a send-back saying ("send the kettle back").
_BACK = WORDS.phrases("send_back_particle")
#: Asking to send items back, now or later: a verb of returning ("can I return them?"), one of sending or taking
#: with "back" a few words on ("please take the thermostat back"; not "send my money back"), a return asked for
#: ("process a return for"), or a list headed "Returns:". Not what is done or a thing named: "I returned it",
#: "my return", "the return label".
ASKS_TO_RETURN = re.compile(
    rf"{_NOT_A_RETURN_NAMED}\b(?:{WORDS.alternation('return_word')})\b(?! (?:{WORDS.alternation('return_thing')})\b)"
    rf"|\b(?:{WORDS.alternation('send_back_verb')})\b"
    rf" (?:(?!(?:{WORDS.alternation('money_back')})\b)[^\s.!?;]+ ){{0,5}}?"
    rf"(?:{WORDS.alternation('send_back_particle')})\b"
    rf"|\b(?:{WORDS.alternation('return_asked_verb')})(?:{WORDS.alternation('return_asked_ending')})?"
    rf" (?:{WORDS.alternation('return_asked_noun')})\b(?! (?:{WORDS.alternation('return_thing')})\b)"
    rf"|^\s*(?:{WORDS.alternation('returns_heading')})\b"
    rf"|\b(?:{WORDS.alternation('return_verb')})\b"
)


#: A question about how returns work, not a return asked for: a question word opening the verb's clause ("how long
#: do I have to return something?"), or whether one may return nothing in particular ("can I return something
#: bought on sale?"; "I want to return something from SO-100001" asks).
_ABOUT_RETURNS = re.compile(
    rf"\s*(?:(?:{WORDS.alternation('question_opener')})\s+)*(?:{WORDS.alternation('question_word')})\b"
)
#: A question word opening a clause the sentence goes on to name with a verb "to be" ("what I want to return is the
#: lamp"): a free relative, the subject of the sentence, not a question. A question inverts its verb ("what do I ...").
_FREE_RELATIVE = re.compile(rf"\s*(?:{WORDS.alternation('question_word')})\s+(?:{WORDS.alternation('first_person')})\b")
_NAMED_AFTER = WORDS.pattern("describing_verb")
_MAY_I = WORDS.pattern("may_i")
_NOTHING_NAMED = re.compile(rf"\s*(?:{WORDS.alternation('nothing_named')})\b")


def _return_asks(sentence: str) -> Iterator[re.Match[str]]:
    """Each saying in a sentence (folded) asking to send items back: not negated, nor a question about returns."""
    tokens = _TOKEN.findall(sentence)
    for match in ASKS_TO_RETURN.finditer(sentence):
        said = match.group(0)
        after = said[said.index(" ") :] if said.endswith(_BACK) and " " in said else sentence[match.end() :]
        before = sentence[: match.start()]
        clause = re.split(r"[,:(]", before)[-1]
        free = _FREE_RELATIVE.match(clause) and _NAMED_AFTER.search(sentence, match.end())
        if not (
            _negated(len(_TOKEN.findall(before)), tokens)
            or (_ABOUT_RETURNS.match(clause) and not free)
            or (_NOTHING_NAMED.match(after) and _MAY_I.search(before))
        ):
            yield match


def asks_to_return(text: str) -> str | None:
    """What, in a sentence of ``text`` (folded), asks to send items back (:func:`_return_asks`), or None."""
    return next((m.group(0).strip() for sentence in SENTENCE_END.split(text) for m in _return_asks(sentence)), None)


#: Said right after asking to send items back, every item of the order ("return everything from the order with the
#: lamp", "send back all of it"); not "everything else", not "almost everything" (a word between).
_EVERYTHING = re.compile(
    rf"\s*(?:{WORDS.alternation('everything_returned')})\b(?!\s+(?:{WORDS.alternation('everything_not_all')})\b)"
)


def returns_everything(text: str) -> bool:
    """Whether a sentence of ``text`` asks to send back every item of the order it is about: a return saying
    (:func:`_return_asks`) with "everything", "all of it"... right after it, or inside it ("send everything back")."""
    for sentence in SENTENCE_END.split(fold(text)):
        for match in _return_asks(sentence):
            said = match.group(0)
            inside = said.find(" ") if said.endswith(_BACK) else -1
            if _EVERYTHING.match(sentence, match.end()) or (inside >= 0 and _EVERYTHING.match(said, inside)):
                return True
    return False


def plain_offsets(text: str) -> str:
    """The text folded character by character (lowercase, no accents), so that offsets in it are offsets in ``text``."""
    plain = []
    for c in text:
        folded = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x)).lower()
        plain.append(folded if len(folded) == 1 else c)
    return "".join(plain).replace("\u2019", "'")


def request_marks(sentence: str) -> list[tuple[int, str]]:
    """Where a sentence (:func:`plain_offsets`) asks to send items back (``"return"``) or to have them in another
    variant (``"exchange"``), by offset: the return sayings (:func:`asks_to_return`), an item change's verb
    (:func:`change_asked`) or an exchange phrase of the lists, none of them negated. What each item named after a
    mark is asked for is read from them (:mod:`ai_missions.graphs.support.parse.item_requests`)."""
    tokens = list(_TOKEN.finditer(sentence))
    words = [t.group(0) for t in tokens]
    marks = {(m.start(), "return") for m in _return_asks(sentence)}
    for verb in _CHANGE_VERB.finditer(sentence):
        before = _TOKEN.findall(sentence[: verb.start()])
        if not _negated(len(before), words):
            marks.add((verb.start(), "exchange"))
    for phrase in PHRASES["exchange_variant"]:
        marks |= {
            (tokens[i].start(), "exchange")
            for i in _starts(phrase, sentence, words, exact=True)
            if i < len(tokens) and not _negated(i, words)
        }
    return sorted(marks)


#: A clause saying where a thing was sent: "that was delivered to my San Diego address", "which were shipped to
#: Austin", "the order I sent to my Chicago address", "the order delivered to my Austin address" (the address, or the
#: place at the clause's end).
_SENT_BEFORE = re.compile(
    rf"\b(?:(?:{WORDS.alternation('describing_relative')})\s+(?:{WORDS.alternation('past_auxiliary')})\s+"
    rf"(?:{WORDS.alternation('sent_to_verb')})[a-z]*"
    rf"|(?:{WORDS.alternation('first_person')})\s+(?:(?:{WORDS.alternation('past_causative')})\s+(?:[a-z]+\s+)?)?(?:{WORDS.alternation('sent_past')})"
    # an order said after a preposition, then where it was sent: "from the order delivered to my New York address"
    rf"|\b(?:{WORDS.alternation('order_sent_preposition')})\s+(?:{WORDS.alternation('definite_determiner')})\s+"
    rf"(?:{WORDS.alternation('order_thing')})\s+(?:{WORDS.alternation('sent_past')})"
    # or after a comma: "the thermostat from order #W1, delivered to the San Jose address (...)"
    rf"|,\s*(?:{WORDS.alternation('sent_past')}))"
    # what came with it may be said between: "that was delivered with my wall clock to the Fort Worth address"
    rf"(?:\s+(?:{WORDS.alternation('holding')})\s+(?:[a-z']+\s+){{0,3}}?|\s+)"
    rf"(?:{WORDS.alternation('send_to')})\s+(?:[a-z']+\s+){{0,3}}?"
    rf"(?:{WORDS.alternation('address_noun')}\b|[a-z']+(?=\s*(?:[,;:()\n]|$)))"
)


def _asking(folded: str) -> list[str]:
    """The sentences that may ask for something: not a settled one, nothing from quoted instructions on. A sentence
    settled only on a condition after its request ("cancel it, if it already shipped never mind") asks up to it."""
    cut = min((i for i in (folded.find(m) for m in INSTRUCTIONS) if i >= 0), default=len(folded))
    asking = []
    for sentence in SENTENCE_END.split(folded[:cut]):
        settled = min((i for i in (sentence.find(p) for p in RESOLVED) if i >= 0), default=-1)
        if settled >= 0:
            on = [m.start() for m in CONDITION_WORD.finditer(sentence[:settled])]
            sentence = sentence[: on[-1]] if on and _CLAUSE_MARK.search(sentence[: on[-1]]) else ""
        if sentence.strip():
            asking.append(sentence)
    return asking


#: A condition word ("if", "unless", "as long as"; the conditions' reader's too), and a clause mark: a settled
#: condition after a request is cut at its word.
CONDITION_WORD = WORDS.pattern("condition_words", "condition_unless")
_CLAUSE_MARK = re.compile(r"[,;:]\s*$|\s[-\u2013]\s*$")


#: Paying an order with something: "pay for order 104471 with my gift card", "pagarlo con PayPal", "mit PayPal
#: bezahlen"; not the settling of a difference ("pay the difference with...": an item change's) nor what was paid.
_PAY_WITH = re.compile(
    rf"\b(?:{WORDS.alternation('pay_verb')})\b(?P<what>[^.!?;]{{0,50}}?)\b(?:{WORDS.alternation('pay_with')})\b"
    rf"|\b(?:{WORDS.alternation('pay_with_first')})\b(?P<was>[^.!?;]{{0,40}}?)\b(?:{WORDS.alternation('pay_verb_last')})\b"
)
_DIFFERENCE = WORDS.pattern("difference")
#: "Can I pay with PayPal?", "do you accept gift cards?": how one may pay, asked in general (a question), unless the
#: sentence speaks of an order or of paying it otherwise ("can I pay for my order with PayPal instead?").
_MAY_I_PAY = re.compile(
    rf"^\W*(?:{WORDS.alternation('courtesy_modal')}) (?:{WORDS.alternation('may_i_who')})"
    rf" (?:(?:{WORDS.alternation('still')}) )?(?:{WORDS.alternation('pay_verb')})\b"
    rf"|\b(?:{WORDS.alternation('possible_to_pay')})\b"
)
_THIS_ORDER = re.compile(rf"\b(?:{WORDS.alternation('this_order')})\b|#?\d{{5,}}")


def _pays_another_way(sentence: str, tokens: list[str], item_change: bool, changed_before: bool) -> str | None:
    """A request to pay an order with some method, in words the phrase list does not hold; not negated ("I don't
    want to pay with PayPal"), not about a price difference, nor in a sentence changing an item unless it says what
    is paid or its clause the order ("change the kettle to the black one, pay with my Visa": the change's), nor after
    item changes (``changed_before``) naming no order nor its payment ("pay for both with my gift card")."""
    if _MAY_I_PAY.search(sentence) and not _THIS_ORDER.search(sentence):
        return None
    for match in _PAY_WITH.finditer(sentence):
        between = match["what"] if match["what"] is not None else match["was"] or ""
        clause = _CLAUSES.split(sentence[match.start() :])[0]
        if _DIFFERENCE.search(between) or (item_change and not between.strip() and not WHOLE_ORDER.search(clause)):
            continue
        if changed_before and not WHOLE_ORDER.search(f"{between} {clause[match.end() - match.start() :]}"):
            continue
        if not _negated(len(_TOKEN.findall(sentence[: match.start()])), tokens):
            return match.group(0).strip()
    return None


#: Moving or using a method for an order: "switch", "put it on", "bill", "charge it to", "use".
_MOVE_PAYMENT = WORDS.pattern("move_payment")
#: Another money matter: a refund's or a difference's method, what was paid, a charge too many.
_OTHER_MONEY = WORDS.pattern("other_money")


def _moves_payment(sentence: str, tokens: list[str], item_change: bool) -> str | None:
    """A request to pay the order with one of the customer's methods ("put the order on my PayPal instead"): a method
    wanted for it, a verb moving or using it (not negated), the order, its payment or "instead" said (in its clause
    beside an item change: "exchange the camera from order #W1 - charge my Visa if needed" charges the change)."""
    if _OTHER_MONEY.search(sentence) or not any(m.wanted and m.theirs and m.scope == ORDER for m in mentions(sentence)):
        return None
    verb = _MOVE_PAYMENT.search(sentence)
    before, after = (sentence[: verb.start()], sentence[verb.end() :]) if verb else ("", "")
    said = (_CLAUSES.split(before)[-1], _CLAUSES.split(after)[0]) if item_change else (before, after)
    if verb is None or not WHOLE_ORDER.search(" ".join(said)):
        return None
    # what the verb moves, in the words right after it: the method itself ("use my Visa", "bill my Amex"), the order
    # or its payment ("put order #W... on my PayPal", "switch payment to ..."); not an item ("order #W...: change the
    # kettle to the black one, Visa 1234": the Visa pays the item's difference)
    moved = " ".join(sentence[verb.end() :].split()[:4])
    if not (any(m.wanted for m in mentions(moved)) or WHOLE_ORDER.search(moved)):
        return None
    return None if _negated(len(_TOKEN.findall(sentence[: verb.start()])), tokens) else verb.group(0)


#: A change verb's past form ("changed", "swapped"): what happened, unless a want or a request goes before it.
_DONE_ENDINGS = tuple(WORDS.phrases("participle_ending"))
_CHANGED = re.compile(rf"\b(?:{'|'.join(w for w in WORDS.phrases('change_verb') if w.endswith(_DONE_ENDINGS))})\b")


def _told_not_asked(clause: str) -> str:
    """The clause with a change verb said in the past as what happened blanked ("life changed plans on me", "my
    plans changed"); not one a want or a request goes before ("I want the lamp changed to blue", "please have it
    switched"), nor one to be done ("can the lamp be changed to blue?"), which ask it."""
    asked = lexicon()["request"]
    spans = [
        m.span()
        for m in _CHANGED.finditer(clause)
        if not (_WANTING.search(clause, 0, m.start()) or asked.search(clause, 0, m.start()))
        and not _TO_BE_DONE.intersection(_TOKEN.findall(clause, max(0, m.start() - 4), m.start()))  # "be changed"
    ]
    return blanked(clause, spans) if spans else clause


def _pair_said(pair: tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], sentence: str) -> str | None:
    """A pair's two words said in the sentence, no blocker: ``"first ... second"`` as said, or None."""
    intent, first, second, blockers = pair
    # an exchange's pair is read clause by clause too: a blocker blocks only its own clause ("pay with my gift card,
    # and change the helmet in it"); a clause changing "my order" itself names nothing to exchange
    clauses = [sentence]
    if intent == "exchange_variant":
        clauses += [c for c in _CLAUSES.split(sentence) if not _THE_ORDER_ITSELF.search(c)]
    for clause in clauses:
        clause = _ANOTHER_ORDER.sub("other", clause)
        if intent == "exchange_variant":
            clause = _told_not_asked(clause)
        if intent == "change_address" and not _STREET_WRITTEN.search(clause):
            clause = _ZIP_ALONE.sub(" ", clause)  # "Ann Lee, zip 32240": who writes, not where to ship
        words = _TOKEN.findall(clause)
        # a word denied by any "n't" asks nothing ("it hasn't shipped, it's going to ..."; but "can't you ship ..."),
        # nor a question word right after what it says of, opening a relative clause ("in the order where I got ...")
        words = [w if not w.endswith("n't") or not _ASKED_OF.isdisjoint(words[i + 1 : i + 2]) else "not"
                 for i, w in enumerate(words)]  # fmt: skip
        words = [w if not (i and w in _QUESTION_WORDS and words[i - 1] in second) else "" for i, w in enumerate(words)]
        if any(_starts(b, clause, words) for b in blockers):
            continue
        # a quoted order number counts as the word "order", in a clause of its own (the last words do not negate it)
        ref = [",", "order"] if _ORDER.search(clause) or _LOOSE_REF.search(clause) else []
        one, other = _said(first, clause, words + ref), _said(second, clause, words + ref)
        if one and other:
            return f"{one} ... {other}"
    return None


#: A cancellation said of what was done ("it was cancelled last week", asked too: "was it fully cancelled?") or to
#: tell an order apart ("that old cancelled smart watch order", after a determiner): no cancellation asked. (A return
#: done is still read: its refund is asked.)
_PARTICIPLE = rf"(?:{WORDS.alternation('done_not_asked')})(?:{WORDS.alternation('participle_ending')})"
_DONE_FORM = re.compile(rf"\b{_PARTICIPLE}\b")
_ASKED_FORM = WORDS.pattern("done_not_asked")
_DONE_OR_DESCRIBED = re.compile(
    rf"\b(?:{WORDS.alternation('past_auxiliary')})\s+(?:[a-z']+\s+){{0,2}}?{_PARTICIPLE}\b"
    rf"|\b(?:{WORDS.alternation('element_determiner')})\s+(?:[a-z'-]+\s+)?{_PARTICIPLE}"
    rf"(?=(?:\s+[a-z'-]+){{0,3}}?\s+(?:{WORDS.alternation('order_word')})\b)"
    # what the customer did themselves: "the order I already cancelled", "that I ended up cancelling"
    rf"|\b(?:{WORDS.alternation('first_person')})\s+(?:(?:{WORDS.alternation('done_by_speaker')})\s+)?"
    rf"(?:{_PARTICIPLE}|(?:{WORDS.alternation('done_not_asked')})(?:{WORDS.alternation('gerund_ending')}))\b"
)


def _questions(text: str) -> set[str]:
    """The sentences of the text (as :data:`SENTENCE_END` splits it, stripped) that end in a question mark. Split
    once, with the marks kept: a pattern searching back for each "?" would read a long text once per character."""
    said = re.split(f"({SENTENCE_END.pattern})", text)
    return {s.strip() for s, end in zip(said[::2], said[1::2], strict=False) if "?" in end}


def _only_asks_how_it_is(sentence: str) -> bool:
    """Whether the sentence asks only how an order stands: its verb said as done ("cancelled"), never as asked
    ("cancel") nor to be done ("can it still be cancelled?"), and every statement of it a question that is not a
    request (the statements layer's mood): "why was my order cancelled?", "has it been cancelled yet?"."""
    done = _DONE_FORM.search(sentence)
    if not done or _ASKED_FORM.search(sentence) or _TO_BE_DONE & set(_TOKEN.findall(sentence, 0, done.start())[-1:]):
        return False  # "can my order still be cancelled?" asks it
    said = statements(sentence)
    return bool(said) and all(s.mood == "question" for s in said)


def _requests(folded: str, *, now_only: bool = True) -> dict[str, str]:
    """Intent -> what said it, sentence by sentence; a settled sentence or quoted instructions ask for nothing. A
    clause describing a thing or an address by where something went ("the kettle that was delivered to the Austin
    address", "the address (where my camera order is going)") tells which it is: it asks nothing, no question either.
    ``now_only``: a request said as not asked now (:func:`not_asked_now`) is left out."""
    matched: dict[str, str] = {}
    questions = _questions(folded)
    for sentence in _asking(folded):
        tokens = _TOKEN.findall(sentence)
        described = [m.span("clause") for m in _SOURCE_ORDER.finditer(sentence) if m["clause"]]
        described += [m.span() for m in _DONE_OR_DESCRIBED.finditer(sentence)]
        sent = _SENT_BEFORE.sub(" ", blanked(sentence, described))
        said_words = _TOKEN.findall(sent)
        before, before_intents = set(matched.values()), set(matched)
        for intent in INTENTS:
            if intent not in matched and (phrase := _said(PHRASES[intent], sent, said_words)):
                matched[intent] = phrase
        for pair in PAIRS:
            if pair[0] not in matched and (said := _pair_said(pair, sent)):
                matched[pair[0]] = said
        if "return_refund" not in matched and (asked := asks_to_return(sentence)):
            matched["return_refund"] = asked
        if "wrong_item" not in matched and (came := _other_than_ordered(sentence) or _came_instead(sentence, tokens)):
            matched["wrong_item"] = came
        charged = matched.get("double_charge")
        at = sentence.find(charged) if charged and charged not in before else -1
        if at >= 0 and polarity(sentence, [(at, at + len(str(charged)))]) == "conditional":
            del matched["double_charge"]  # "if there's an extra charge, take it from my gift card": no claim
        asked = sentence + "?" if sentence.strip() in questions else sentence  # its question mark, split off
        for intent in [i for i, said in matched.items() if now_only and said not in before and i in _ASKED_NOW]:
            if not_asked_now(sentence, matched[intent]) or _denied(asked, matched[intent]):
                del matched[intent]  # "I was going to return the helmet too, but I'll keep it": said, not asked
        if matched.get("cancel_order") in _NOT_NEEDED and (_refused_spans(sentence) or _KEEP.search(sentence)):
            del matched["cancel_order"]  # "I changed my mind, don't cancel #W2": what the mind changed to is said
        if "cancel_order" in matched and matched["cancel_order"] not in before and _only_asks_how_it_is(asked):
            del matched["cancel_order"]  # "was it charged, or fully cancelled?": how it stands, no cancellation
        own = _OWN_CHOICE.search(sentence) or "ordered by mistake" in cancel_reasons(sentence)
        if "wrong_item" in matched and matched["wrong_item"] not in before and own:
            del matched["wrong_item"]  # "I ordered the wrong size", "by mistake": their own choice, not a wrong item
        changing = matched.get("exchange_variant") not in (None, *before)
        changing = changing or any(_pair_said(pair, sentence) for pair in PAIRS if pair[0] == "exchange_variant")
        if "change_payment" not in matched and (
            paying := _pays_another_way(sentence, tokens, changing, "exchange_variant" in before_intents)
            or _moves_payment(sentence, tokens, changing)
        ):
            matched["change_payment"] = paying
        # not in a sentence cancelling orders: "cancel two: the one with ..., and the bigger one with the grill"
        cancels = matched.get("cancel_order") not in (None, *before)
        if not ({"exchange_variant", "wrong_item"} & set(matched) or cancels) and (asked := _exchange_asked(sentence)):
            matched["exchange_variant"] = asked
    cut = min((i for i in (folded.find(m) for m in INSTRUCTIONS) if i >= 0), default=len(folded))
    if "change_address" not in matched and (asked := address_asked(folded[:cut])):
        matched["change_address"] = asked  # an address written out as the one to ship to (SUP-006)
    return matched


#: Requests that are asked of now or not at all: a return, a cancellation, an item change.
_ASKED_NOW = frozenset({"return_refund", "cancel_order", "exchange_variant"})


def not_asked_now(sentence: str, phrase: str) -> bool:
    """Whether a request's words are said as an intention gone by, turned from in the same sentence ("I was going to
    return one of the helmets too, but I've decided to keep it"), or as a plan put off, hedged ("I might send the
    speaker back later"): the platform's lexicon's ``abandoned``, ``contrast`` and ``deferred`` words, as its
    statements reader reads them."""
    at = sentence.find(phrase)
    if at < 0:
        return False
    words = lexicon()
    gone = words["abandoned"].search(sentence, 0, at + 1)
    if gone is not None and words["contrast"].search(sentence, at + len(phrase)) is not None:
        return True
    later = words["deferred"].search(sentence) is not None
    return later and polarity(sentence, [(at, at + len(phrase))]) == "hedged"


def _denied(sentence: str, phrase: str) -> bool:
    """Whether a request's words are denied wherever its first word is said, as the platform's polarity reads a
    negation's scope ("nothing else needs to change"), in a statement: a question asks ("can't you just cancel it?")."""
    spans = [m.span() for m in _said_at(phrase.split(" ... ")[0]).finditer(sentence)]
    denied = bool(spans) and all(polarity(sentence, [span]) == "negated" for span in spans)
    return denied and all(s.mood == "assertion" for s in statements(sentence))


def stated_claim(folded: str, intents: tuple[str, ...]) -> str | None:
    """The customer's own words saying the item arrived damaged or is not what they ordered (for the intents read),
    as written: a phrase of the lists ("cracked", "not what I ordered", "kaputt"), "wrong" with what came, "ordered
    ... got a ...", "sent me ... instead of". None when the reading rests only on a single word one typo from a
    phrase ("brokn"; "case" for "casse"): a refund without a return is never made on a guess (a person reads it)."""
    for sentence in _asking(folded):
        tokens = _TOKEN.findall(sentence)
        if "damaged_item" in intents and (said := _said(PHRASES["damaged_item"], sentence, tokens, exact=True)):
            return said
        if "wrong_item" not in intents:
            continue
        said = _said(PHRASES["wrong_item"], sentence, tokens, exact=True)
        for intent, first, second, blockers in PAIRS:
            if said or intent != "wrong_item" or any(_starts(b, sentence, tokens, exact=True) for b in blockers):
                continue
            one, other = _said(first, sentence, tokens, exact=True), _said(second, sentence, tokens, exact=True)
            said = f"{one} ... {other}" if one and other else None
        if said := said or _other_than_ordered(sentence) or _came_instead(sentence, tokens):
            return said
    return None


#: The reading layer's rules (no embedding model: a message is read in microseconds, the same way every time).
_READER = OfflineReader(semantic=False)


def _exchange_asked(sentence: str) -> str | None:
    """An exchange asked in words the phrase lists do not name ("could I get the medium one instead?"): the reading
    layer's exchange intent, stated (not denied, hedged or conditional); its words, or None."""
    reading = read([(Source("helpdesk", "message", "body"), sentence)], ["exchange_intent"], _READER)
    fact = reading.get("exchange_intent")
    return fact.evidence.words if fact is not None and fact.polarity == "affirmed" else None


#: A change asked of something: the verb of an item change, in any of its forms ("can it be changed to...").
_CHANGE_VERB = WORDS.pattern("change_verb")


def change_asked(text: str) -> bool:
    """Whether the text says a change verb not negated among the three words before it ("can I change my camera
    to the 2K one?"; not "I don't want to change it"): what an item's change may be asked with, whatever else
    the sentence reads as. Which item, and whether it is theirs, the systems tell."""
    return _said_unnegated(_CHANGE_VERB, fold(text))


def _said_unnegated(pattern: re.Pattern[str], folded: str) -> bool:
    """Whether the pattern is said in the text with no negation among the three words before it (:func:`_negated`)."""
    return any(not _negated(len(b := _TOKEN.findall(folded[: m.start()])), b) for m in pattern.finditer(folded))


_CORRECTED = WORDS.pattern("self_correction", "take_back", space=r"\W+")


def corrected(text: str) -> bool:
    """Whether the customer takes back what they ask ("wait, no, not that one"; not "don't forget that")."""
    return _said_unnegated(_CORRECTED, fold(text))


#: Saying an item stays with the customer: "keeping the laptop", "I'll keep the lamp", "hold on to the rest".
_KEEP = re.compile(
    rf"\b(?:{WORDS.alternation('keep')})\s+(?:(?:{WORDS.alternation('kept_what')})\b"
    # a keep of one bare word ending its clause: "(not the navy one, i'm keeping navy)", not "keep me posted"
    r"|(?=[\w-]+\s*(?:[,.;:!?)\n]|$)))"
)
#: Where the clause of a kept item begins: a sentence or clause mark, "but", a dash (:func:`_kept_begins`).
_KEEP_BEGINS = re.compile(rf"[.;!?\n(),]|\s[-\u2013]\s|\b(?:{WORDS.alternation('keep_clause_joins')})\b")
_JOIN = re.compile(rf"\b(?:{WORDS.alternation('clause_join')})\b")
#: Where it ends: the same marks, or "and" going on to a request ("keep the lamp and return the chair").
_KEEP_ENDS = re.compile(
    rf"[.;!?\n(),]|\s[-\u2013]\s|\b(?:{WORDS.alternation('negation_stop')})\b"
    rf"|\b(?:{WORDS.alternation('clause_join')})\s+(?=(?:\w+\s+){{0,3}}?(?:{WORDS.alternation('request_verb')})\b)"
)
#: Words about money: a clause with them is about paying ("keep the refund on my card", "I want to pay by card").
MONEY = WORDS.pattern("money")
#: A verb asking something of an order or its items; negated, what it names is not meant ("do NOT cancel #W2").
_REQUEST_VERB = WORDS.pattern("request_verb")
#: What was not done ("you didn't cancel it"): no refusal of a request.
_NEGATED_PAST = frozenset(WORDS.phrases("negated_past"))
#: What a keep may say of the thing named before it ("please keep it", "leave that").
_POINTS_BACK = WORDS.pattern("points_back_to_item", "kept_pointing_back")


#: Said after the item: "the tea kettle I'm keeping", "everything else stays".
_KEPT_AFTER = re.compile(
    rf"\b(?:{WORDS.alternation('keeping_subject')})\s+(?:{WORDS.alternation('keep')})\b"
    # "the black pair I keep", "the other skateboard we'll keep": the speaker, then a keep of their own
    rf"|\b(?:{WORDS.alternation('first_person')})\s+(?:{WORDS.alternation('keep')})"
    r"\s*(?:[,.;:!?\n)]|$)"
    rf"|\b(?:{WORDS.alternation('stays')})\b"
    rf"|\b(?:{WORDS.alternation('stay_at_end')})(?=\s*(?:[,.;:!?\n)]|$))"
)
#: A verb saying how an item is, before the reading layer's assent ("is fine", "works great").
_STATE_VERB = re.compile(rf"\b(?:{WORDS.alternation('state_verb')})\s+")
#: What makes it no state but a verb's ("ok to return"): it goes on with "to".
_GOES_ON_TO = re.compile(rf"\s+(?:{WORDS.alternation('send_to')})\b")
#: Items said not to be meant: "not the dumbbells or the puzzle", "except the kettle", "other than the rug".
_NOT_THESE = re.compile(
    rf"\b(?:{WORDS.alternation('not_these')})\s+(?:(?:{WORDS.alternation('determiner')})\b"
    rf"|(?:{WORDS.alternation('order_word')}\s+)?#)"  # an order quoted there: "but not #W2", "except order #W3"
)
#: Where what is said not to be meant ends: a clause mark, or "but", "just", "only" saying what is.
_NOT_THESE_ENDS = re.compile(rf"[.;:!?\n(),]|\s[-\u2013]\s|\b(?:{WORDS.alternation('not_these_ends')})\b")
#: An order told apart by what it holds: "my order with the laptop in it", "the order (the one with the helmet)".
_DESCRIBED_ORDER = re.compile(
    rf"\b(?:{WORDS.alternation('order_thing')})(?:\s*[(,:]?\s*(?:{WORDS.alternation('order_again')}))?\s+"
    rf"(?:{WORDS.alternation('holding')}|{_RELATIVE_HOLDING})\b"
    # said again after what else is said of it, or after its number: "my order delivered to Chicago (the one with the
    # laptop, ...)", "my order #W1 that hasn't shipped (w the camera and vacuum)", "#W1 (the one with the skateboard)"
    rf"|(?:\b(?:{WORDS.alternation('order_thing')})\b|#\s?[a-z]{{0,3}}-?\d{{3,12}}\b)[^.;!?()\n]{{0,60}}?[(,:]\s*"
    rf"(?:(?:{WORDS.alternation('order_again')})\s+)?(?:{WORDS.alternation('holding')}|{_RELATIVE_HOLDING})\b"
    # after a clause saying which order: "an order that hasn't shipped yet with ...", "my order from May has a ..."
    rf"|\b(?:{WORDS.alternation('order_thing')})\b[^.;:!?()\n,]{{1,40}}?\s(?:{WORDS.alternation('holding')}|{_RELATIVE_HOLDING})\b"
)
#: An order's items listed in brackets after it: "my pending order (notebook, grill, office chair)".
_LISTED_ORDER = re.compile(rf"\b(?:{WORDS.alternation('order_thing')})\s*\(([^()]{{3,200}})\)")
#: Where such a description ends: a sentence mark, a colon, a bracket, a dash, an arrow, or a comma before the request
#: goes on.
_DESCRIBED_ENDS = re.compile(
    rf"[.;:!?\n()]|\s[-\u2013]\s|{ARROW.pattern}|,\s*(?=(?:{WORDS.alternation('request_goes_on')})\b)"
    rf"|\b(?:{WORDS.alternation('description_ends')})\b"
)
#: Where what a customer wants begins: "for the 15 bar one", "to a gas grill", "-> green small".
WANTED_BEGINS = re.compile(
    rf"\b(?:{WORDS.alternation('wanted_to')})\s+(?:{WORDS.alternation('wanted_determiner')})\b|->|\u2192"
)
#: An item told apart by what it was bought with: "that came with", "I got with", "in the same box as".
_BOUGHT_WITH = WORDS.pattern("bought_with")
#: "the espresso machine order": an order named by an item (the words before "order").
_ITEM_ORDER = re.compile(
    rf"\b(?:{WORDS.alternation('order_determiner')})\s+"
    rf"((?:(?!(?:{WORDS.alternation('not_item_name')})\b)[\w-]+\s+){{1,4}}?)(?:{WORDS.alternation('order_thing')})\b"
)


#: Another order told by its items as where an address comes from: "same as my lamp order", "the Reno address my
#: lamp/rug order is going to": the words from the determiner to the order noun.
_ORDER_TOLD = (
    rf"(?:{WORDS.alternation('definite_determiner')})\s+"
    rf"(?:[\w/'+&-]+\s+){{1,6}}?(?:{WORDS.alternation('order_thing')})"
)
#: The clause saying where that order goes (``clause``) follows the address, or opens a bracket of its own: "the
#: Chicago address instead (where my kettle order is going)".
_SOURCE_ORDER = re.compile(
    rf"\b(?:{WORDS.alternation('source_order_before', space=WHITE_SPACE)})\s+"
    rf"({_ORDER_TOLD})\b"
    rf"|(?:\b(?:{WORDS.alternation('source_order_address')})[\s(,]+|\(\s*(?=(?:{WORDS.alternation('source_order_that')})\s))"
    rf"(?P<clause>(?:(?:{WORDS.alternation('source_order_that')})\s+)?"
    rf"({_ORDER_TOLD})\s+(?:(?:{WORDS.alternation('source_order_auxiliary', space=WHITE_SPACE)})\s+)?"
    rf"(?:{WORDS.alternation('source_order_goes')}))\b"
)


def source_order_spans(text: str) -> list[tuple[int, int]]:
    """Where the text tells another order by its items only as where an address comes from ("ship it to the same
    place as my lamp order", "the Reno address my lamp/rug order is going to"): that order is not asked about."""
    lower = _lower(text)
    return [m.span(1) if m.group(1) else m.span(3) for m in _SOURCE_ORDER.finditer(lower)]


def _lower(text: str) -> str:
    """Lowercase with every character kept one character long (offsets in it are offsets in ``text``)."""
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def blanked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with each span spaced out (its length, and so every offset, kept)."""
    for begins, end in sorted(spans, reverse=True):
        text = text[:begins] + " " * (end - begins) + text[end:]
    return text


def _kept_begins(lower: str, at: int, sentence: int = 0) -> int:
    """Where the clause of a keep said at ``at`` begins: after the last mark or turning word, or after the last "and"
    since then whose words before it ask something ("return the lamp and the phone stays"); an "and" after words
    that ask nothing lists what is kept ("the phone and the speaker stay as they are"): every one stays.
    ``sentence``: where its sentence begins, when known (nothing before it is looked at)."""
    begins = max((m.end() for m in _KEEP_BEGINS.finditer(lower, sentence, at)), default=sentence)
    if not lower[begins:at].strip() and lower[:begins].rstrip().endswith(")") and "(" in lower[sentence:begins]:
        # "the other coffee maker (the french press) stays": the thing the aside is said of stays with it
        return _kept_begins(lower, lower.rindex("(", sentence, begins), sentence)
    for join in reversed(list(_JOIN.finditer(lower, begins, at))):
        if wants_or_changes(said := lower[begins : join.start()]) or _requests(fold(said)):
            return join.end()
    return begins


def _kept_spans(lower: str, *, fine: bool = True) -> list[tuple[int, int]]:
    """Where an item is said to be kept: a keep ("keeping the e-reader", "leave the black one"), an item then its
    keep ("the kettle I'm keeping", "everything else stays"), and with ``fine``, an item said to be as wanted ("the
    e-reader works fine"), which of a variant may say the one wanted ("charcoal is fine")."""
    spans = []
    for match in _KEEP.finditer(lower):
        after = _TOKEN.match(lower, len(lower) - len(lower[match.end() :].lstrip()))
        if after and after[0] in OPTION_WORDS and _POINTS_BACK.fullmatch(match.group(0).split()[-1]):
            continue  # "(keep it blue, low ventilation)": what the new one keeps, no item kept
        begins = _kept_begins(lower, match.start())
        if back := _POINTS_BACK.match(lower, match.end() - len(match.group(0).split()[-1])):
            begins = _pointed_back_to(lower, begins)  # what "it" is was said before: nothing after ("keep it quick:")
        tokens = _TOKEN.findall(lower[begins : match.start()])
        ended = _KEEP_ENDS.search(lower, match.end())
        end = match.end() if back else ended.start() if ended else len(lower)
        if lower[end : end + 1] == "(":  # "keeping the other stuff (air purifier + headphones)"
            close = lower.find(")", end)
            end = close + 1 if close >= 0 else len(lower)
        if not (_negated(len(tokens), tokens) or MONEY.search(lower, begins, end)):
            spans.append((begins, end))
    # "the tea kettle I'm keeping", "everything else stays", and an item said to be as wanted: a state verb before
    # the reading layer's assent ("Laptop is great, but ...", "the e-reader works fine")
    assent = lexicon()["assent"].pattern if fine else None
    said_fine = (
        m
        for verb in _STATE_VERB.finditer(lower)
        if assent is not None and (m := assent.match(lower, verb.end())) and not _GOES_ON_TO.match(lower, m.end())
    )
    for match in [*_KEPT_AFTER.finditer(lower), *said_fine]:
        begins = _kept_begins(lower, match.start())
        said = lower[begins : match.start()].split()
        if any(_POINTS_BACK.fullmatch(" ".join(said[-n:])) for n in (1, 2) if len(said) >= n):
            begins = _pointed_back_to(lower, begins)  # "The boots are great, so those stay": the boots
        if not MONEY.search(lower, begins, match.end()):
            spans.append((begins, match.end()))
    return spans + _refused_spans(lower)


def _pointed_back_to(lower: str, begins: int) -> int:
    """Where the clause of a keep said of "it" begins: at its sentence's start when the words between ask nothing of
    their own ("I changed my mind about #W2, please keep it": #W2 is kept), or ask only what someone else wants, the
    writer keeping it ("my husband keeps telling me to cancel #W2 but I want to keep it"); else where it began."""
    start = max((m.end() for m in SENTENCE_END.finditer(lower, 0, begins)), default=0)
    said = lower[start:begins]
    verb = _REQUEST_VERB.search(said)
    asks = verb or _said_unnegated(_WANTING, fold(said))  # "changed my mind" asks no change
    person = lexicon()["third_party"].search(said)
    theirs = verb is not None and person is not None and person.start() < verb.start()
    return start if said.strip() and (not asks or theirs) else begins


def _refused_spans(lower: str) -> list[tuple[int, int]]:
    """Where a request is said not to be made, its clause: "please do NOT cancel #W2", "don't return the lamp",
    "#W2 bitte nicht stornieren"; what it names is kept (not a clause about money: "don't refund it to my card")."""
    spans = []
    ends = [m.end() for m in SENTENCE_END.finditer(lower)]  # found once: not again from the start for each verb
    for verb in _REQUEST_VERB.finditer(lower):
        before = bisect.bisect_right(ends, verb.start())
        begins = ends[before - 1] if before else 0
        words = _TOKEN.findall(lower, begins, verb.start())  # its sentence's words before it
        if not _negated(len(words), words) or not _NEGATED_PAST.isdisjoint(words[-3:]):
            continue
        ended = _KEEP_ENDS.search(lower, verb.end())
        end = ended.start() if ended else len(lower)
        begins = _kept_begins(lower, verb.start(), begins)
        if not MONEY.search(lower, begins, end):
            spans.append((begins, end))
    return spans


def _not_these_spans(lower: str) -> list[tuple[int, int]]:
    spans = []
    for match in _NOT_THESE.finditer(lower):
        ended = _NOT_THESE_ENDS.search(lower, match.end())
        end = ended.start() if ended else len(lower)
        if not MONEY.search(lower, match.start(), end):  # "not my gift card": a method, read as such
            spans.append((match.start(), end))
    return spans


@functools.lru_cache(maxsize=512)  # asked of the same texts by the split, the facts and the targets
def without_kept(text: str) -> str:
    """The text with what it says is not meant blanked: an item said to be kept ("keeping the e-reader") or not
    meant ("everything except the kettle"), an order said only as where an address comes from ("same as my lamp
    order"); a negated keep and a clause about money stay."""
    lower = _lower(text)
    return blanked(text, _kept_spans(lower) + _not_these_spans(lower) + source_order_spans(text))


def without_left_as_is(text: str) -> str:
    """The text with the items said to be kept or left as they are blanked ("the green one for red; leave the
    black one"), but not one said to be fine, which of a variant may be the one wanted ("charcoal is fine")."""
    return blanked(text, _kept_spans(_lower(text), fine=False))


@functools.lru_cache(maxsize=512)
def only_kept(text: str) -> str:
    """The text with all but what it says is not meant blanked (:func:`without_kept`'s other side): "leave the
    kettle alone" in "cancel the rug order but leave the kettle alone"."""
    lower = _lower(text)
    spans = sorted(_kept_spans(lower) + _not_these_spans(lower) + source_order_spans(text))
    gaps = [(a, b) for a, b in pairwise([0, *(x for span in spans for x in span), len(text)])][::2]
    return blanked(text, [(a, b) for a, b in gaps if a < b])


def items_text(text: str, *, orders: bool = True) -> str:
    """The text the items a request is about are read from: :func:`without_kept`, and without what tells an order
    apart by its items ("from my order with the skateboard, thermostat and hose, I only want to return the
    skateboard": the skateboard alone; "the espresso machine order"). The whole says which order; this, which items.
    ``orders`` False: what an item came with only ("the vacuum that came with the backpack": not the backpack)."""
    lower = _lower(text)
    return blanked(without_kept(text), [*_describing_spans(lower, orders), *_put_aside_spans(lower)])


def _put_aside_spans(lower: str) -> list[tuple[int, int]]:
    """Sentences whose every request is said as not asked now (:func:`not_asked_now`: "I was going to return one of
    the helmets too, but I've decided to keep it"): the items they name are not asked about. A sentence that asks
    nothing to begin with ("the lamp came later than promised") keeps its items for the requests around it."""
    words, spans, start = lexicon(), [], 0
    for end in [*(m.start() for m in SENTENCE_END.finditer(lower)), len(lower)]:
        sentence = fold(lower[start:end])
        cue = words["abandoned"].search(sentence) or words["deferred"].search(sentence)  # (only then read again)
        if cue is not None and not _requests(sentence) and set(_requests(sentence, now_only=False)) & _ASKED_NOW:
            spans.append((start, end))
        start = end
    return spans


def _describing_spans(lower: str, orders: bool = True) -> list[tuple[int, int]]:
    """Where the text describes an order by its items: "the order with ...", "the espresso machine order" (unless
    ``orders`` is False), and "the mug I got with ..."."""
    spans = []
    for match in (*(_DESCRIBED_ORDER.finditer(lower) if orders else ()), *_BOUGHT_WITH.finditer(lower)):
        # "the keyboard (the one that came with the bookshelf)", "the watch I got with the air purifier": what it
        # came with tells its order apart, and is not asked about
        # it ends at a clause mark, or where what is wanted begins ("... came with the backpack for the robotic one")
        ends = (_DESCRIBED_ENDS.search(lower, match.end()), WANTED_BEGINS.search(lower, match.end()))
        end = min((m.start() for m in ends if m), default=len(lower))
        spans.append((match.end(), _request_opens(lower, match.end(), end)))
    return spans + [m.span(1) for pattern in (_ITEM_ORDER, _LISTED_ORDER) if orders for m in pattern.finditer(lower)]


def _request_opens(lower: str, start: int, end: int) -> int:
    """Where a description of an order that runs from ``start`` to ``end`` ends earlier: at the first word from which
    the rest of its clause reads as a request said from that word on ("..., return the pet bed", "... I'd like to
    return the jacket", "... kindly return"), else ``end``: read by the request reader, not listed."""
    for word in re.finditer(r"\b[a-z]", lower[start:end]):
        clause = re.split(r"[,.;!?\n]", lower[start + word.start() :], maxsplit=1)[0]
        if any(clause.startswith(said) for said in _requests(clause).values()):
            return start + word.start()
    return end


#: Wanting something other than what one has: "I want", "I'd like", "I'd prefer", "should be", "instead".
_WANTING = WORDS.pattern("wanting")


#: A change said as where it goes from and to: "laptop: from the 17-inch i5 to the 15-inch i7".
_FROM_TO = re.compile(
    rf"\b(?:{WORDS.alternation('change_from')})\b[^.;!?\n]{{1,60}}?\b(?:{WORDS.alternation('send_to')})\b"
)


def wants_or_changes(text: str) -> bool:
    """Whether the text asks a change (:func:`change_asked`, "from ... to ...", an arrow: "1080p not waterproof -> 5K"),
    or says a want, not negated ("I want the 1.5L one"; not "I don't need another one")."""
    folded = fold(text)
    return (
        change_asked(text) or bool(_FROM_TO.search(folded) or ARROW.search(text)) or _said_unnegated(_WANTING, folded)
    )


@functools.lru_cache(maxsize=256)  # read again when the request's reading is resolved against the ERP
def asking_sentences(text: str) -> str:
    """The sentences of a message that ask for something about an order (what the items they name are about):
    "Cancel the order I placed by mistake. On another one change the watch." -> the cancellation does not name the
    watch; both sentences are kept, each with its own request."""
    kept = []
    follows = False  # the sentence before was kept: one that only goes on ("Also the mug.") adds to its request
    heading = False  # a line asking something ends in a colon: each item of the list under it is asked it
    kept_text = without_kept(text)
    questions = _questions(kept_text)
    for sentence in SENTENCE_END.split(kept_text):
        folded = fold(sentence) + ("?" if sentence.strip() in questions else "")  # read as the question it is
        asks = bool(folded.strip() and set(_requests(folded)) - {"question"})
        listed = heading and bool(LIST_ITEM.match(sentence))
        if asks or listed or (follows and _GOES_ON.match(folded)):
            kept.append(sentence.strip())
        follows = asks or listed or (follows and bool(_GOES_ON.match(folded)))
        heading = (asks and sentence.rstrip().endswith(":")) or listed
    return ". ".join(kept)


#: An item of a list: a line opening with a bullet or a number ("- the lamp", "2) the rug").
LIST_ITEM = re.compile(r"\s*(?:[-*\u2022]|\d{1,2}[.)])\s")


#: A sentence that goes on with the request before it rather than making one: "Also one of the mugs.", "And the
#: lamp too.", "Plus the kettle.", "Además la taza.", "Et aussi la lampe.", "Und auch die Tasse."
_GOES_ON = re.compile(rf"\s*(?:{WORDS.alternation('goes_on')})\b")
#: Of those, the ones that add wherever they stand ("the speaker too", "as well"), not only opening a sentence: not a
#: word that also joins the items of one list ("the earbuds and the speaker").
_ADDS = re.compile(
    rf"\b(?:{'|'.join(re.escape(w) for w in WORDS.phrases('goes_on') if w not in WORDS.phrases('list_joins'))})\b"
)


#: One of them said by the customer of themselves ("I also want", "we too").
_ADDED_BY = re.compile(rf"\b(?:{WORDS.alternation('first_person')})\s+(?:{WORDS.alternation('goes_on')})\b")


def adds_to_before(text: str) -> bool:
    """Whether a message goes on with what was asked before it rather than saying it again whole ("No, the speaker
    in red too.", "Also the kettle.", "I also want the lamp"): a correction that adds keeps the plan it corrects."""
    folded = fold(text)
    return bool(_ADDS.search(folded) or _ADDED_BY.search(folded)) or any(
        _GOES_ON.match(s) for s in SENTENCE_END.split(folded)
    )


#: Why a customer cancels, as the order's cancellation records it: they no longer need it, or they ordered it by
#: mistake. Phrases (folded) by reason; a negation just before one ("it was not a mistake") drops it.
CANCEL_REASONS = {
    "ordered by mistake": WORDS.phrases("cancel_by_mistake"),
    "no longer needed": WORDS.phrases("cancel_not_needed"),
}
#: A reason to cancel said in place of asking to ("changed my mind", "no longer need it").
_NOT_NEEDED = frozenset(CANCEL_REASONS["no longer needed"])
#: Said of the order before "need" / "want": it is not a reason to cancel ("I still need it", "I need it by Friday").
_STILL = re.compile(rf"\b(?:{WORDS.alternation('still')})\s+(?:{WORDS.alternation('need_want')})\b")


def cancel_reason(text: str) -> str | None:
    """The reason the customer gives for cancelling, read from every sentence (a reason given in an answer counts):
    ``no longer needed`` or ``ordered by mistake``; None when they give none, or both (which is asked, not guessed).
    A reason negated in its clause is not given ("it wasn't a mistake")."""
    given = cancel_reasons(text)
    return given.pop() if len(given) == 1 else None


def cancel_reasons(text: str) -> set[str]:
    """Every reason for cancelling the text gives (:func:`cancel_reason`)."""
    return {
        reason
        for sentence in SENTENCE_END.split(fold(text))
        for reason, phrases in CANCEL_REASONS.items()
        if _said(phrases, sentence, _TOKEN.findall(sentence))
        and not (reason == "no longer needed" and _STILL.search(sentence))
    }


def unreadable(text: object) -> str | None:
    """Why a message cannot be read (empty, too_long, binary), without reading it; None when it can."""
    if isinstance(text, bytes):
        return "binary"
    if not isinstance(text, str) or not text.strip():
        return "empty"
    if len(text) > MAX_CHARS:
        return "too_long"
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t")
    return "binary" if "\x00" in text or "\ufffd" in text or controls > max(2, len(text) // 50) else None


#: Words that make what follows in the sentence a condition.
CONDITION_WORDS = WORDS.phrases("condition_words", "condition_unless")
#: Conditions that are courtesy, or that the policies check anyway (shipped yet, in stock, still possible).
_COURTESY = re.compile(
    rf"\b(?:{WORDS.alternation('courtesy_if')})\s+(?:(?:{WORDS.alternation('courtesy_frame')})\s+)?"
    rf"(?:(?:{WORDS.alternation('may_i_who')})\s+(?:{WORDS.alternation('courtesy_modal')})\b"
    rf"(?!(?:{WORDS.alternation('courtesy_modal_contraction')})| (?:{WORDS.alternation('courtesy_modal_not')}))"
    rf"|{WORDS.alternation('courtesy_condition')})"
)
#: An apology or a thanks framed as a condition: "sorry if this is a silly question", "it would be great if".
_POLITE_FRAME = re.compile(rf"\b(?:{WORDS.alternation('polite_frame')})\W*$")
#: Asking to be told ("let me know if ..."): the condition after it is the customer's question, not theirs to set.
_LET_ME_KNOW = WORDS.phrases("let_me_know")
_WHETHER = re.compile(rf"\b(?:{WORDS.alternation('whether_if')})\s*$")


def _held_in(words: tuple[str, ...], folded: str) -> bool:
    """Whether any of the words is in the folded text, as part of a word too ("returned" holds "return")."""
    return any(w in folded for w in words)


_ACTIONS = frozenset(INTENTS) - {"where_is_order", "not_received", "question"}


def _condition(folded: str) -> str | None:
    """The first condition put on a request in the same sentence ("if it's over $300, cancel it"), unless it is
    courtesy or something the policies check themselves ("cancel it if it hasn't shipped", "if possible")."""
    for sentence in SENTENCE_END.split(folded):
        for word in CONDITION_WORDS:
            for match in re.finditer(r"(?<![a-z'])" + re.escape(word) + r"(?![a-z'])", sentence):
                clause = sentence[match.start() :]
                before = sentence[: match.start()]
                if _COURTESY.match(clause) or _held_in(_LET_ME_KNOW, before[-20:]) or _POLITE_FRAME.search(before):
                    continue  # courtesy, a question asked of them or a polite frame
                if not _WHETHER.search(before) and set(_requests(sentence)) & _ACTIONS:
                    return re.split(r",(?!\d{3})", clause)[0].strip()[:80]
    return None


def read_message(text: object) -> Reading:
    """Read one customer message (anything: a non-string, empty or huge message is a problem, not a crash)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return Reading(problem="binary")
    if (problem := unreadable(text)) is not None or not isinstance(text, str):
        return Reading(problem=problem or "empty")
    folded = fold(text)
    # a request said not to be made, with its clause, asks nothing ("I don't want to cancel the wrong one")
    matched = _requests(fold(blanked(text, _refused_spans(_lower(text)))))
    intents = _settle(matched, folded)
    refs = tuple(dict.fromkeys(f"SO-{m}" for m in _ORDER.findall(folded)))
    ours = {r[3:] for r in refs}
    loose = tuple(dict.fromkeys(n for n in _LOOSE_REF.findall(folded) if n not in ours))
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    angry = shouting or text.count("!") >= 3 or any(w in folded for w in ANGRY_WORDS)
    scores = {lang: len(said.findall(folded)) for lang, said in _LANGUAGE_SAID.items()}  # the language with most
    sizes = {SIZE_WORDS[" ".join((a or b).replace("-", " ").split())] for a, b in _SIZE.findall(folded)}
    return Reading(
        intents=intents,
        order_refs=refs,
        loose_refs=loose,
        angry=angry,
        language=max((lang for lang in scores if scores[lang] >= 2), key=scores.__getitem__, default="en"),
        matched={i: matched[i] for i in intents},
        options=tuple(sorted({OPTION_WORDS[w] for w in _TOKEN.findall(folded) if w in OPTION_WORDS} | sizes)),
        gives_address=bool(_ADDRESS.search(folded)),
        condition=_condition(folded) if any(w in folded for w in CONDITION_WORDS) else None,
        claim=stated_claim(folded, intents) if {"damaged_item", "wrong_item"} & set(intents) else None,
    )


#: Said after a charge, where it is to go, not that it was made twice ("any extra charges should go on my gift card").
_PLACED = re.compile(
    rf"[^.!?\n]*?\b(?:{WORDS.alternation('placed_modal')})\s+(?:{WORDS.alternation('placed_verb')})"
    rf"\s+(?:{WORDS.alternation('placed_on')})\b"
)
_REFUND_WORDS = WORDS.phrases("refund_asked")
_SHIPPED_YET = WORDS.phrases("shipped_yet")
#: Words whose presence anywhere in the message settles two readings (substrings: "wrong" of "wrongly").
_WRONG = WORDS.phrases("wrong")
_DAMAGED = WORDS.phrases("damaged_said")
_ADDRESS_NOUN = WORDS.phrases("address_noun")
_ITEM_CHANGE = WORDS.phrases("item_change_said")
_RETURN = WORDS.phrases("return_word")
_DESCRIBES = re.compile(rf"\b(?:{WORDS.alternation('describing_relative')})\s+(?:[a-z']+\s+){{0,2}}$")


def _settle(matched: dict[str, str], folded: str) -> tuple[str, ...]:
    """The requests the message makes, once overlapping readings are settled."""
    found = set(matched)
    if "double_charge" in found and _PLACED.match(folded, max(0, folded.find(matched["double_charge"]))):
        found.discard("double_charge")  # "any extra charges should go on my gift card": where to pay, no complaint
    if "double_charge" in found:
        found.discard("return_refund")  # "refund the second charge" is not a return
    at = folded.find(matched.get("where_is_order") or "\0")
    written = "where_is_order" in found and len(found) > 1 and _ADDRESS.search(_ZIP_ALONE.sub(" ", folded))
    if {"not_received", "where_is_order"} <= found or written or _DESCRIBES.search(folded[: max(at, 0)]):
        found.discard("where_is_order")  # or said of a thing ("the one that hasn't shipped yet"), or of where to ship
    if "wrong_item" in found:
        found.discard("damaged_item") if _held_in(_WRONG, folded) and not _held_in(_DAMAGED, folded) else None
    # "change it to the blue one" is no address change, unless an address is written out as the one to use
    if (
        {"exchange_variant", "change_address"} <= found
        and not _held_in(_ADDRESS_NOUN, folded)
        and not address_asked(folded)
    ):
        found.discard("change_address")
    if (
        {"cancel_order", "change_address"} <= found
        and " ... " in matched["change_address"]
        and not _ADDRESS.search(_ZIP_ALONE.sub(" ", folded))  # "Ann Lee, zip 32240": who writes, not where to ship
        and not address_asked(folded)
    ):
        # "I ordered it to the Dallas address by mistake, cancel it": where it was sent is why it is cancelled, read
        # from two words apart; no address to use is written, and the one request is the cancellation
        found.discard("change_address")
    changes = {"exchange_variant", "change_address"}  # what a reason to cancel may be said for instead
    if (
        "cancel_order" in found
        and found & changes
        and cancel_reasons(matched["cancel_order"])
        and not any(
            "cancel_order" in (said := _requests(s)) and not changes & set(said) for s in SENTENCE_END.split(folded)
        )
    ):
        # "I changed my mind on the kettle, I'd like the black one", "I changed my mind about a lot, we moved": a
        # cancellation's reason, said only where an item or address change is asked, is that change's reason
        found.discard("cancel_order")
    if "change_address" in found and not _held_in(_ITEM_CHANGE, folded):
        # "ship it to my new address instead" is the address only; an item change asked in a sentence of its own
        # ("My order goes to the wrong address. Also change the shoes in it.") stays
        # and one asked in a clause of its own beside an address written ("send it to my home instead (12 Elm St,
        # ...), and make the kettle the silver one"): the clauses read with the addresses written out of them
        unwritten = without_addresses(folded)
        clauses = [c for s in SENTENCE_END.split(unwritten) for c in _CLAUSES.split(s)] if unwritten != folded else []
        apart = any(
            "exchange_variant" in (said := _requests(s)) and "change_address" not in said
            for s in [*SENTENCE_END.split(folded), *clauses]
        )
        found.discard("exchange_variant") if not apart else None
    if "return_refund" in found and _held_in(_REFUND_WORDS, folded):
        # "I sent it back and have not received the refund", "my return reached you; where's my refund?": the money
        found -= {"not_received", "where_is_order"}
    if "where_is_order" in found and matched.get("where_is_order") in _SHIPPED_YET and found - {"where_is_order"}:
        # whether it has left yet, said beside another request, is what that request stands on, not a question of
        # where it is: "it hasn't shipped yet, right? send it to my new address", "cancel the order that hasn't
        # shipped yet", "my skateboard hasn't shipped yet; could you change it to the 28 inch one"
        found.discard("where_is_order")
    if "question" in found and len(found) > 1:
        found.discard("question")  # "can I get a refund for the double charge?" is the charge, not a question
    if "return_refund" in found and "cancel_order" in found and not _held_in(_RETURN, folded):
        found.discard("return_refund")
    return tuple(i for i in INTENTS if i in found)
