"""Mechanisms written for set 15's classes (issue 40); the wordings of each class are rows of
``tests/data/reading_probes.tsv`` ("set 15"). Our own wordings, never the set's."""

from __future__ import annotations

from ai_missions.nodes.reading import Source
from ai_missions.nodes.reading.figures import amounts
from ai_missions.nodes.reading.lexicon import Words, default, fold
from ai_missions.nodes.reading.offline import OfflineReader
from ai_missions.nodes.reading.statements import analyse, other_records


def test_a_gap_in_a_kinds_phrase_holds_no_denial() -> None:
    """A phrase's gap (``~``) may hold any word but a denial of the language's ``gap_denial`` words: "invoice ~
    replaces" reads "invoice 77 replaces", never "invoice does not replace"."""
    words = Words(["invoice ~ replaces"], stop="not|no|nicht")
    assert words.search("this invoice 77 replaces the old one") is not None
    assert words.search("this invoice does not replace the old one") is None
    assert words.search("this invoice no longer replaces the old one") is None
    cues = default().kinds["invoice_supersedes"].cues
    assert cues.search(fold("la factura 88 sustituye a la anterior")) is not None
    assert cues.search(fold("la factura 88 no sustituye a la anterior")) is None


def test_a_record_named_by_its_month_is_another_unless_a_day_follows() -> None:
    """ "The March order", "la commande d'avril", "Bestellung vom Juli" name another record (``dated_record``); "my
    order from March 3" dates a record and says nothing of which."""
    lexicon = default()
    assert other_records(fold("refund went to the march order"), lexicon)
    assert other_records(fold("accepté sur la commande d'avril"), lexicon)
    assert other_records(fold("betraf die bestellung vom juli"), lexicon)
    assert not other_records(fold("my order from march 3 arrived broken"), lexicon)
    assert analyse("El cambio fue del pedido de mayo.")[0].about == "other"
    assert analyse("Mi pedido del 4 de mayo llegó roto.")[0].about != "other"


def test_a_word_spelled_with_letters_that_vary_is_known_in_each_spelling() -> None:
    """ "reposici{ó|o}n" is a lexicon word in both spellings: the typo corrector leaves "reposicion" as written, where
    it had read it as the stem "repon*" misspelt ("reponsicion")."""
    lexicon = default()
    assert lexicon.correct("reposicion") == "reposicion"
    assert "reposicion" in lexicon.vocabulary


def test_a_day_that_dates_a_saying_is_not_the_restock_day() -> None:
    """ "in three weeks, confirmed today": today dates the confirmation; the time ahead is the restock's. A day alone
    stays the restock's ("arrives today, confirmed")."""
    reader = OfflineReader(semantic=False)
    source = Source("erp", "PO-15", "purchasing_note")
    later = reader.read("Nachlieferung in zwei Wochen, hat der Lieferant heute bestätigt.", source, ["restock_eta"])
    assert later[0].value == 14.0
    alone = reader.read("Stock arrives today, confirmed by the supplier.", source, ["restock_eta"])
    assert alone[0].value == 0.0


def test_a_thousands_space_and_the_gap_between_two_prices() -> None:
    """ "1 040 €" is one amount (a French thousands space), and "pays the gap" between two prices is their
    difference."""
    assert amounts(fold("l'angle a 1 040 €")) == [1040.0]
    reader = OfflineReader(semantic=False)
    text = "Table 4 places à 1 190 € remplacée par la 6 places à 1 340 €, la cliente paie l'écart."
    fact = reader.read(text, Source("order", "O-15", "crm_note"), ["upcharge_agreed"])[0]
    assert fact.polarity == "affirmed"
    assert fact.value == 150.0
