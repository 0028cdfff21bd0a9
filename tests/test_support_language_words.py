"""The language a message is written in is read from its words said as words, not from letters inside English ones:
"which I ordered" holds "ich ", "the model " holds "del ", and neither makes a message German or Spanish, so the
reply is written in the customer's language. The wordings are written here (none is a benchmark's)."""

from __future__ import annotations

import pytest

from ai_missions.graphs.support.parse.understanding import read_message


@pytest.mark.parametrize(
    "text",
    [
        "Please cancel the lamp order, which I placed by mistake, and the rug order, which I no longer need.",
        "Which model is cheaper? I'd like the model with the timer, which I saw online.",
    ],
)
def test_an_english_message_with_letters_of_other_languages_inside_its_words_is_english(text: str) -> None:
    assert read_message(text).language == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hallo, ich möchte meine Bestellung stornieren, bitte.", "de"),
        ("Hola, quiero cancelar mi pedido, gracias.", "es"),
        ("Bonjour, je voudrais annuler ma commande, merci.", "fr"),
    ],
)
def test_a_message_in_another_language_is_read_as_it(text: str, language: str) -> None:
    assert read_message(text).language == language
