"""Things said in the customer's own words: an item called by a word of theirs ("the bike" of a Bicycle) read as the
item the systems hold, one of two alike told apart after both are described, a part of an item said damaged, a
replacement said as "exactly the same", and numbers that are no order."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.parse.request import request_of
from ai_missions.graphs.support.parse.resolve import called_by_own_words, items_of_request, things_unmatched
from tests.support.tau_db import catalogue, decide, item, one_customer, place, writes

HOME = place("4 Birch Rd", "Tulsa", "OK", "74103")


def _db(orders: dict[str, list[dict[str, Any]]], status: str = "delivered") -> dict[str, Any]:
    """A customer (u1, Kim Lane) at their Tulsa home with these orders, and a catalogue holding their items."""
    return one_customer(orders, status=status, home=HOME)


def _orders(names: list[str]) -> dict[str, tuple[list[dict[str, Any]], dict[str, str]]]:
    """One order holding an item of each name (its option words are no thing's: "green", "silicone")."""
    lines = [{"line_no": n, "sku": f"S{n}", "description": name} for n, name in enumerate(names, 1)]
    return {"#W1": (lines, {f"S{n}": "green silicone" for n in range(1, len(names) + 1)})}


BIKE = item("Bicycle", "bicycle", "BK-GR", 900.0, frame="medium", color="green", type="road")
BIKE_RED = item("Bicycle", "bicycle", "BK-RD", 950.0, frame="medium", color="red", type="road")
PUZZLE = item("Jigsaw Puzzle", "puzzle", "PZ-500", 30.0, pieces="500", theme="art")
CHAIR = item("Office Chair", "chair", "CH-B", 200.0, material="mesh", color="black")
PERFUME = item("Perfume", "perfume", "PF-W", 80.0, scent="woody", size="50ml")


def test_an_item_called_by_the_customers_own_word_is_the_item_it_stands_for() -> None:
    """ "the bike" names no item by its words, but it is close in meaning to the customer's Bicycle and to none of
    their other items: the request is read with the Bicycle's name. A word close to nothing of theirs ("the sofa"
    beside an Office Chair) is left as said."""
    mine = _orders(["Bicycle", "Jigsaw Puzzle", "Office Chair", "Perfume"])
    assert called_by_own_words(["Please return the bike and my cologne."], mine) == {
        "bike": "Bicycle",
        "cologne": "Perfume",
    }
    assert called_by_own_words(["The sofa is too big."], mine) == {}
    assert called_by_own_words(["Return the bike."], {}) == {}
    said = "Please return the Bike, it is too big. bike@example.com"
    ticket = {"messages": [{"direction": "inbound", "body": said}]}
    assert request_of(ticket, {"bike": "Bicycle"}).text == "Please return the Bicycle, it is too big. bike@example.com"
    facts, verdict = decide(
        _db({"#W1": [BIKE, PUZZLE]}), "u1", "Kim Lane here. Please return the bike, refund my card."
    )
    assert facts["ticket.case_types"] == ["return_refund"]
    assert facts["return.lines"] == [1]
    assert "open_return" in writes(verdict)


def test_of_two_alike_described_together_the_request_tells_the_one_meant() -> None:
    """ "I got two bikes, a green one and a red one. I'd like to exchange the green one for a blue one": the sentence
    describing both says which the customer has, the asking one which is meant; before, both were exchanged."""
    blue = item("Bicycle", "bicycle", "BK-BL", 900.0, frame="medium", color="blue", type="road")
    db = _db({"#W1": [BIKE, BIKE_RED]})
    db["products"] = catalogue([BIKE, BIKE_RED, blue])
    message = (
        "Kim Lane. I got two bicycles in order #W1, a green one and a red one. "
        "I'd like to exchange the green one for the blue version, everything else the same. Card ending 1111."
    )
    facts, _ = decide(db, "u1", message)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "BK-BL"}]
    lines = [
        {"line_no": 1, "sku": "BK-GR", "description": "Bicycle"},
        {"line_no": 2, "sku": "BK-RD", "description": "Bicycle"},
    ]
    options = {"BK-GR": "medium green road", "BK-RD": "medium red road", "BK-BL": "medium blue road"}
    sentences = ("I got two bicycles, a green one and a red one", "I'd like to exchange the green one for a blue one")
    assert items_of_request(sentences, sentences[1], lines, options, of_items=True) == [1]


def test_a_part_said_damaged_is_of_the_item_and_exactly_the_same_is_a_replacement() -> None:
    """ "exchange the bike for another one exactly the same, the frame on mine is scratched": the frame is a part of
    the bike, not another thing to ask "too?" about, and "exactly the same" asks the bike again as it is (a
    replacement, the remedy of the damage stated). "Another one" alone asks another variant."""
    lines = [
        {"line_no": 1, "sku": "BK-GR", "description": "Bicycle"},
        {"line_no": 2, "sku": "PZ-500", "description": "Jigsaw Puzzle"},
    ]
    options = {"BK-GR": "medium green road", "PZ-500": "500 art"}
    said = "I want to exchange the bicycle for another one exactly the same, the frame on mine is scratched."
    assert things_unmatched([said], lines, options) == []
    facts, verdict = decide(_db({"#W1": [BIKE, PUZZLE]}), "u1", f"Kim Lane, order #W1. {said} Card 1111.")
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "BK-GR"}]
    assert facts["claim.exchanged"] is True
    assert verdict["outcome"] != "escalate", verdict["summary"]
    db = _db({"#W1": [BIKE, PUZZLE]})
    db["products"] = catalogue([BIKE, BIKE_RED, PUZZLE])
    facts, _ = decide(db, "u1", "Kim Lane, order #W1. Can I exchange the bicycle for another one?")
    assert facts["modify.changes"] != [{"line_no": 1, "sku": "BK-GR"}]


def test_a_number_the_systems_do_not_know_as_an_order_quotes_none() -> None:
    """One order quoted, and another asked of by what it holds in sentences holding numbers ("a 500-piece puzzle",
    "my card ending 1111"): those are no order the systems know, so the customer's other orders are read to find the
    one meant. Before, any number counted as a quote, only the quoted order was read, and the exchange was asked
    about as the quoted order's."""
    lamp = item("Desk Lamp", "lamp", "LP-1", 40.0, color="white")
    oriental = item("Perfume", "perfume", "PF-O", 85.0, scent="oriental", size="50ml")
    db = _db({"#W5550001": [CHAIR], "#W5550002": [PUZZLE, PERFUME], "#W5550003": [lamp]})
    db["products"] = catalogue([CHAIR, PUZZLE, PERFUME, oriental, lamp])
    message = (
        "Kim Lane. The perfume I got is not for me, I'd like to exchange it for the oriental one. In that same order "
        "there's a 500-piece art puzzle, please swap it for an identical new one, a few pieces came bent. And I want "
        "to return the office chair from order #W5550001. Everything on my card ending 1111."
    )
    request = request_of({"messages": [{"direction": "inbound", "body": message}]})
    assert request.asks_apart(["#W5550001"])
    assert not request.asks_apart(["#W5550001", "#W5550002"])
    facts, verdict = decide(db, "u1", message)
    parts = {p["order.id"]: p for p in facts.get("parts") or []}
    assert {o: p["ticket.case_types"] for o, p in parts.items()} == {
        "#W5550001": ["return_refund"],
        "#W5550002": ["exchange_variant"],
    }
    assert parts["#W5550002"]["modify.changes"] == [{"line_no": 1, "sku": "PZ-500"}, {"line_no": 2, "sku": "PF-O"}]
    assert verdict["outcome"] != "escalate", verdict["summary"]


def test_a_compounds_last_part_names_it() -> None:
    """ "the watch" of a Wristwatch, as "the kettle" names an Electric Kettle: the compound's last part, of one item
    only ("watch" is close in meaning to no name here: 0.47)."""
    items = ["Wristwatch", "Tablet", "Luggage Set"]
    assert called_by_own_words(["Change the watch to the silicone one."], _orders(items)) == {"watch": "Wristwatch"}
    assert called_by_own_words(["Change the watch."], _orders([*items, "Smart Watch"])) == {}  # a head of its own


def test_items_that_tell_the_order_apart_are_not_asked_about() -> None:
    """ "my order #W1 that hasn't shipped (w the camera and vacuum)", "#W1 (the one with the skateboard and smart
    watch)": what the bracket holds says which order, not what changes, is damaged or is swapped; and the order told
    by three items of which it alone holds all is that one, though the quoted order holds one of them too."""
    camera = item("Action Camera", "camera", "AC-4K", 300.0, resolution="4K", color="silver")
    mouse = item("Gaming Mouse", "mouse", "GM-RGB", 60.0, color="RGB", sensor="optical")
    black = item("Gaming Mouse", "mouse", "GM-BLK", 55.0, color="black", sensor="optical")
    shoes = item("Running Shoes", "shoes", "RS-10", 90.0, size="10", color="white")
    bottle = item("Water Bottle", "bottle", "WB-1", 20.0, capacity="1000ml", color="blue")
    puzzle = item("Jigsaw Puzzle", "puzzle", "PZ-1500", 35.0, pieces="1500", theme="animals")
    db = _db({"#W5550011": [mouse, puzzle, camera], "#W5550012": [shoes, PUZZLE, bottle]})
    db["orders"]["#W5550011"]["status"] = "pending"
    db["products"] = catalogue([camera, mouse, black, shoes, bottle, puzzle, PUZZLE])
    message = (
        "kim lane. so in my order #W5550011 that hasnt shipped (w the action camera and puzzle) the gaming mouse i "
        "want in black instead, same otherwise, card ending 1111. and the order with the running shoes, puzzle and "
        "water bottle - i want to send all 3 back, refund to my card."
    )
    facts, _ = decide(db, "u1", message)
    parts = {p["order.id"]: p for p in facts.get("parts") or []}
    assert parts["#W5550011"]["modify.changes"] == [{"line_no": 1, "sku": "GM-BLK"}]
    assert parts["#W5550011"]["modify.choices"] == []
    assert parts["#W5550012"]["ticket.case_types"] == ["return_refund"]  # of the one holding all three
    same = item("Action Camera", "camera", "AC-4K", 300.0, resolution="4K", color="silver")
    db = _db({"#W5550021": [same, BIKE, PUZZLE]})
    said = (
        "kim lane. the action camera from #W5550021 (the one with the bike and puzzle) stopped working after a week, "
        "id like to exchange it for the same one. card 1111 if anything's owed."
    )
    facts, verdict = decide(db, "u1", said)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "AC-4K"}]
    assert facts["claim.exchanged"] is True
    assert verdict["outcome"] != "escalate", verdict["summary"]
