"""Issue #38: no module-level pattern of the support readers holds a word of a language. Words live in the per-language
word file (graphs/support/words.toml) and reach a pattern through ``WORDS``; what stays in the code is structure
(punctuation, digits, the order of words around a list). The scan reads the modules' source, so a word written into
a pattern again fails here, whichever pattern it is. A second scan finds a module-level collection of words
(tuple, list, set) the same way; the lists moved out of the code are read as before, through the public readers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import ai_missions.graphs.support as support
from ai_missions.graphs.support.parse.address_reading import read_addresses
from ai_missions.graphs.support.parse.understanding import read_message
from ai_missions.graphs.support.words import singular

#: Regex syntax that looks like letters: escapes (\b, \s, \w, \d...), named groups and back references, character
#: classes, and counted repeats.
_SYNTAX = re.compile(r"\(\?P<\w+>|\(\?P=\w+\)|\\[a-zA-Z]|\[[^\]]*\]|\{[^}]*\}")
_WORD = re.compile(r"[a-zA-Z]{2,}")
_WORDS_CALLS = ("alternation", "pattern", "phrases", "table")


def inline_words(source: str) -> dict[str, list[str]]:
    """Module-level name -> the words written inline in the pattern it compiles (strings passed to a WORDS call
    are names of word lists, not words)."""
    found: dict[str, list[str]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or not isinstance(node.value, ast.Call):
            continue
        if getattr(node.value.func, "attr", "") != "compile" or not node.value.args:
            continue
        lists = {
            id(inner)
            for call in ast.walk(node.value)
            if isinstance(call, ast.Call) and getattr(call.func, "attr", "") in _WORDS_CALLS
            for inner in ast.walk(call)
        }
        text = " ".join(
            s.value
            for s in ast.walk(node.value.args[0])
            if isinstance(s, ast.Constant) and isinstance(s.value, str) and id(s) not in lists
        )
        if words := sorted(set(_WORD.findall(_SYNTAX.sub(" ", text)))):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            found[getattr(target, "id", "?")] = words
    return found


def test_the_scan_finds_a_word_written_into_a_pattern_and_not_a_list_name_or_syntax() -> None:
    planted = (
        "import re\n"
        "A = re.compile(rf'\\b(?:{WORDS.alternation(\"courtesy_if\")})\\s+(?P<rest>[a-z]+)\\d{2,}')\n"
        "B = re.compile(r'\\bplease\\s+(?:cancel|stop)\\b')\n"
    )
    assert inline_words(planted) == {"B": ["cancel", "please", "stop"]}


def _runtime_modules() -> list[Path]:
    """The mission's runtime modules, the parse's among them (its evals are not its readers)."""
    root = Path(support.__file__).parent
    return sorted(p for p in root.rglob("*.py") if "evals" not in p.relative_to(root).parts)


def test_no_module_level_pattern_of_the_support_readers_holds_a_word() -> None:
    modules = _runtime_modules()
    assert len(modules) > 25
    held = {f"{m.name}:{name}": words for m in modules for name, words in inline_words(m.read_text()).items()}
    assert held == {}


#: A language word: lowercase letters, maybe an apostrophe, a hyphen or a space between them. A string with "_" or
#: "." (or a digit) is a name (a fact, a tool, a field), not a word.
_LANGUAGE_WORD = re.compile(r"[a-z]+(?:['\- ][a-z]+)*")
_NAME = re.compile(r"[_.\d]")
#: Collections of values that are names, though they read as words: address statuses, language codes.
_NAMES_NOT_WORDS = {"facts.py:_ADDRESS_ASKED"}


def word_collections(source: str, module: str) -> list[str]:
    """The module-level tuples, lists, sets and frozensets of ``source`` written as 3 or more words (none of them
    holding a name), as ``module:NAME``."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        value = node.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.args:
            if value.func.id not in ("frozenset", "set", "tuple", "list"):
                continue
            value = value.args[0]
        if not isinstance(value, ast.Tuple | ast.List | ast.Set):
            continue
        strings = [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        where = f"{module}:{getattr(target, 'id', '?')}"
        words = [s for s in strings if _LANGUAGE_WORD.fullmatch(s)]
        if len(words) >= 3 and not any(_NAME.search(s) for s in strings) and where not in _NAMES_NOT_WORDS:
            found.append(where)
    return found


def test_the_scan_finds_a_planted_word_collection_and_skips_names() -> None:
    planted = (
        'FIELDS = ("line1", "postal_code", "city", "region")\n'
        'TOOLS = frozenset({"cancel_order", "open_return", "refund_payment"})\n'
        "_GREETINGS = frozenset({'hiya', 'good morning', \"howdy\"})\n"
        "_TWO = ('yes', 'no')\n"
    )
    assert word_collections(planted, "planted.py") == ["planted.py:_GREETINGS"]


def test_no_support_reader_holds_a_collection_of_words() -> None:
    found = [
        where for path in _runtime_modules() for where in word_collections(path.read_text(encoding="utf-8"), path.name)
    ]
    assert found == []


def test_money_asked_back_after_a_return_is_about_the_refund_not_a_lost_parcel() -> None:
    said = "I posted the boots back two weeks ago and I still have not received my money back"
    assert read_message(said).intents == ("return_refund",)
    # with no money named, what is not received may be a parcel
    assert (
        "not_received" in read_message("I posted the boots back two weeks ago and have not received anything").intents
    )


def test_asking_whether_it_left_before_an_address_change_is_the_change() -> None:
    assert read_message("Has it shipped yet? If not, please change the address to my new flat").intents == (
        "change_address",
    )


@pytest.mark.parametrize(
    "said",
    [
        "Recibi una taza en lugar de la tetera",
        "Ich habe eine Tasse statt der Kanne erhalten",
        "J'ai recu une tasse au lieu de la theiere",
    ],
)
def test_something_received_in_place_of_another_is_a_wrong_item_in_each_language(said: str) -> None:
    assert "wrong_item" in read_message(said).intents


def test_the_country_after_a_written_address_is_its_country_dotted_or_not() -> None:
    (dotted,) = read_addresses("Please deliver it to 48 Harbor View Rd, Portland, OR 97201, U.S.A. thanks!").written
    assert (dotted.city, dotted.country, dotted.missing) == ("Portland", "U.S.A", ())
    (named,) = read_addresses("deliver to 48 Harbor View Rd, Portland, OR 97201 United  States").written
    assert named.country.lower().split() == ["united", "states"]


def test_thanks_after_an_address_is_no_city() -> None:
    (address,) = read_addresses("Please deliver it to 48 Harbor View Rd, OR 97201 thank you").written
    assert address.missing == ("city",)


def test_an_address_after_a_sending_verb_is_wanted_though_an_old_address_is_named() -> None:
    wanted = read_addresses("It went to my old address, please ship it to 48 Harbor View Rd, Portland, OR 97201")
    assert [a.line1 for a in wanted.written] == ["48 Harbor View Rd"]
    assert wanted.dropped == ()
    old = read_addresses("It went to my old address 48 Harbor View Rd, Portland, OR 97201")
    assert old.written == ()
    assert len(old.dropped) == 1


def test_a_condition_the_customer_asks_to_be_told_about_is_not_their_condition() -> None:
    assert read_message("Please cancel my order, and let me know if the total is over $200").condition is None
    assert read_message("Please cancel my order if the total is over $200").condition == "if the total is over $200"


@pytest.mark.parametrize(
    "message",
    [
        "Honestly I wonder if this is the right place, but please cancel #W7700112, I no longer need it.",
        "No idea if I'm doing this right: cancel order W7700112 please, ordered it by mistake.",
        "No sé si es el sitio correcto, pero quiero cancelar el pedido #W7700112, ya no lo necesito.",
    ],
)
def test_if_after_not_knowing_asks_whether_and_sets_no_condition(message: str) -> None:
    reading = read_message(message)
    assert "cancel_order" in reading.intents
    assert reading.condition is None
    twin = read_message("I wonder: if it's over $200, please cancel #W7700112.")  # a condition of its own
    assert twin.condition == "if it's over $200"
    checked = read_message("Please check if it's over $200 and cancel #W7700112.")  # checking may set one
    assert checked.condition == "if it's over $200 and cancel #w7700112"


def test_an_order_placed_by_mistake_is_the_customers_own_choice_not_a_wrong_item_sent() -> None:
    own = read_message("Not sure I'm doing this right but I ordered #W7700112 by mistake, please cancel it.")
    assert own.intents == ("cancel_order",)
    sent = read_message("You sent me a blue kettle but I ordered the red one.")  # the twin: a wrong item sent
    assert "wrong_item" in sent.intents


def test_a_plural_is_made_singular_by_the_endings_the_words_file_lists() -> None:
    pairs = {"batteries": "battery", "watches": "watch", "glasses": "glass", "bottles": "bottle", "bags": "bag",
             "bookshelves": "bookshelf", "gloves": "glove"}  # fmt: skip
    assert {w: singular(w) for w in pairs} == pairs
    assert [singular(w) for w in ("glass", "bus", "kettle")] == ["glass", "bus", "kettle"]
