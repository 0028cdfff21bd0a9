"""What is said beside a request and is no part of it: the values in brackets after a variant keep their own clause
marks, "nothing else" orders no preference, an order told apart by what it holds ("the bigger one with the grill")
asks for no change of its items, orders told apart while an item sits in both are cancelled each, "the first order"
and "my unshipped order" are no thing of the customer's, and a wrong choice of an order not shipped is the change
asked, not a wrong item received, nor is "hasn't arrived yet" of one a parcel lost; what an item came with tells it
apart up to where what is wanted begins."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.support.parse.comparison import preferred
from ai_missions.graphs.support.parse.resolve import things_unmatched
from ai_missions.graphs.support.parse.understanding import items_text, read_message
from tests.support.tau_db import decide, item, one_customer, writes

GREEN = item("Bluetooth Speaker", "speaker", "SP-G", 100.0, color="green", battery="10 hours", water="no")
BLACK = item("Bluetooth Speaker", "speaker", "SP-B", 100.0, color="black", battery="10 hours", water="no")
RED_DRY = item("Bluetooth Speaker", "speaker", "SP-RN", 110.0, color="red", battery="10 hours", water="no")
RED_WET = item("Bluetooth Speaker", "speaker", "SP-RY", 120.0, color="red", battery="10 hours", water="yes")
BOARD = item("Skateboard", "board", "SK-1", 80.0, deck="maple")
BOOTS = item("Hiking Boots", "boots", "HB-1", 150.0, size="9")
GRILL = item("Grill", "grill", "GR-1", 300.0, type="gas")
LAMP = item("Desk Lamp", "lamp", "DL-1", 40.0, color="white")
SHIRT = item("T-Shirt", "shirt", "TS-1", 20.0, color="red")
SMALL = item("E-Reader", "reader", "ER-8", 100.0, screen="7-inch", storage="8GB")
LARGE = item("E-Reader", "reader", "ER-32", 130.0, screen="7-inch", storage="32GB")
BAG = item("Backpack", "backpack", "BP-1", 60.0, color="black")
VACUUM = item("Vacuum Cleaner", "vacuum", "VC-C", 200.0, type="canister", bag="bagged")
ROBOT = item("Vacuum Cleaner", "vacuum", "VC-R", 250.0, type="robotic", bag="bagless")
SILVER = item("Luggage Set", "luggage", "LS-S", 300.0, color="silver", shell="hardshell")
BLACK_SET = item("Luggage Set", "luggage", "LS-B", 280.0, color="black", shell="hardshell")
SHADES = item("Sunglasses", "shades", "SG-BB", 90.0, frame="black", lens="brown")
BROWN_SHADES = item("Sunglasses", "shades", "SG-RB", 95.0, frame="brown", lens="brown")
GREEN_SHADES = item("Sunglasses", "shades", "SG-BG", 95.0, frame="black", lens="green")


def _db(orders: dict[str, list[dict[str, Any]]], *more: dict[str, Any]) -> dict[str, Any]:
    """A customer (u1, Kim Lane) with these pending orders; the catalogue holds their items and ``more`` variants."""
    return one_customer(orders, *more, status="pending")


def test_values_in_brackets_keep_their_clause_marks() -> None:
    """ "a red one (10 hour battery, not water resistant)" of one of two speakers: what the bracket says of the
    feature ends at its comma, so the red one that is not water resistant is chosen (before, the bracket was one
    piece, "battery not water resistant" was read as no feature, and every option was listed back)."""
    db = _db({"#W1000001": [GREEN, BLACK]}, RED_DRY, RED_WET)
    said = (
        "Kim Lane here. I have two bluetooth speakers in #W1000001; I'd like to change the green one for a red one "
        "(10 hour battery, not water resistant). Charge my card."
    )
    facts, verdict = decide(db, "u1", said)
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "SP-RN"}]
    assert "modify_order_items" in writes(verdict)


def test_nothing_else_orders_no_preference() -> None:
    """ "else" orders values only between them ("the blue one, else the green one"); "make sure nothing else on the
    order gets touched" after a size and a material asked for orders nothing (before, it read "synthetic > 7")."""
    own = {"option": "12 leather"}
    stock = [{"option": "12 synthetic"}, {"option": "7 synthetic"}, {"option": "7 leather"}]
    values = {"12", "7", "leather", "synthetic"}
    said = "i want a size 7 in synthetic. make sure nothing else on the order gets touched. so the 7 synthetic one"
    assert preferred(said, own, stock, str.split, values) is None
    colours = [{"option": "blue"}, {"option": "green"}]
    ordered = preferred("the blue one, else the green one", {"option": "red"}, colours, str.split, {"blue", "green"})
    assert ordered == ([{"option": "blue"}], "blue > green")


def test_an_order_told_apart_by_what_it_holds_asks_no_change() -> None:
    """ "the bigger one with the grill" in a sentence cancelling orders says which order, not that a bigger variant
    is wanted; an exchange in other words is still read in a sentence of its own."""
    said = "i need to cancel two orders: the one with the skateboard, and the bigger one with the grill and boots."
    assert read_message(said).intents == ("cancel_order",)
    also = "Cancel the one with the skateboard. Could I get the medium one instead?"
    assert read_message(also).intents == ("cancel_order", "exchange_variant")


def test_orders_told_apart_while_an_item_sits_in_both_are_each_cancelled() -> None:
    """Hiking boots sit in both orders, but each order is told apart by items only it holds: both are cancelled,
    and the third order, which the customer keeps, is not."""
    db = _db({"#W1000001": [BOARD, BOOTS], "#W1000002": [GRILL, LAMP, BOOTS], "#W1000003": [SHIRT]})
    said = (
        "Kim Lane here. I need to cancel two orders I don't need anymore: the one with the skateboard + hiking "
        "boots, and the bigger one with the grill, desk lamp and boots. The one with the t-shirt I'm keeping."
    )
    facts, verdict = decide(db, "u1", said)
    cancelled = {a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order"}
    assert cancelled == {"#W1000001", "#W1000002"}, facts.get("reply.text")


def test_a_thing_said_with_an_order_word_is_the_order() -> None:
    """ "nothing else on the first order gets touched, especially the camera": "the first order gets touched" is
    the order, not an item no line holds (before, the order's other items were each asked "too?")."""
    lines = [{"line_no": 1, "sku": "S1", "description": "Hiking Boots"},
             {"line_no": 2, "sku": "S2", "description": "Digital Camera"}]  # fmt: skip
    options = {"S1": "12 leather", "S2": "24MP"}
    said = "Swap the hiking boots for a 7. Make sure nothing else on the first order gets touched, like the camera."
    assert things_unmatched([said], lines, options) == []
    assert things_unmatched(["On my unshipped order swap the hiking boots, the camera stays."], lines, options) == []
    assert things_unmatched(["Swap the hiking boots and the suitcase set."], lines, options) == ["suitcase"]
    # a thing said with an order after it is still a thing: the phone is asked about
    assert things_unmatched(["Return the hiking boots and the phone from my last order."], lines, options) == ["phone"]


def test_a_wrong_choice_of_an_order_not_shipped_is_the_change_asked() -> None:
    """ "I think I got the wrong storage ... can it still be changed?" of an order not shipped: nothing came, so no
    wrong item was received; the change asked is planned (and read back before it is made), not escalated as a claim
    no policy resolves."""
    said = (
        "Kim Lane here. I think I got the wrong storage on my e-reader order, it's 8GB but I'd like 32GB. "
        "Can it still be changed? Charge my card."
    )
    facts, verdict = decide(_db({"#W1000001": [SMALL]}, LARGE), "u1", said)
    assert facts["ticket.case_types"] == ["exchange_variant"]
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "ER-32"}]
    assert "modify_order_items" in writes(verdict)


def test_an_item_told_apart_by_what_came_with_it_is_the_one_changed() -> None:
    """ "the vacuum that came with the backpack for the robotic one": what it came with ends where what is wanted
    begins, so the backpack only tells the vacuum apart; the vacuum is exchanged, the backpack is not asked about."""
    said = "Exchange the vacuum that came with the backpack for the robotic bagless one. Charge my card."
    assert (
        items_text(said)
        == "Exchange the vacuum that came with              for the robotic bagless one. Charge my card."
    )
    facts, verdict = decide(_db({"#W1000001": [BAG, VACUUM]}, ROBOT), "u1", "Kim Lane here. " + said)
    assert facts["modify.changes"] == [{"line_no": 2, "sku": "VC-R"}]
    assert facts["modify.choices"] == []
    assert "modify_order_items" in writes(verdict)


def test_not_arrived_of_an_order_not_shipped_tells_which_it_is() -> None:
    """ "the luggage set I ordered that hasn't arrived yet: change it ..." of an order not shipped: it has not
    arrived because it has not left; no parcel is lost and no trace is opened, the change is made."""
    said = (
        "Kim Lane here. The luggage set I ordered that hasn't arrived yet: change it to the black one. Charge my card."
    )
    facts, verdict = decide(_db({"#W1000001": [SILVER]}, BLACK_SET), "u1", said)
    assert facts["ticket.case_types"] == ["exchange_variant"]
    assert "modify_order_items" in writes(verdict)


def test_a_value_wanted_twice_is_asked_for_again() -> None:
    """ "the brown, brown one" of sunglasses now black and brown: brown is wanted twice and held once, so the one
    brown twice is meant (before, brown was held and so not asked for, and every option was listed back)."""
    db = _db({"#W1000001": [SHADES]}, BROWN_SHADES, GREEN_SHADES)
    facts, _verdict = decide(db, "u1", "Kim Lane here. On #W1000001 change the sunglasses for the brown, brown one.")
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "SG-RB"}]
