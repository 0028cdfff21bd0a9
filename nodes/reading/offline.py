"""The offline reader: cue rules in the four supported languages (en, es, fr, de), negation/hedge/condition scope
per clause, amount/duration/date/reference parsing, and semantic matching with the shipped MiniLM model (the one the
knowledge index embeds with, loaded once) for wording the cues do not name.

A cue only says which kind a clause is about; whether it is stated, denied, hedged or conditional is read from the
clause with the cue's own words blanked ("no longer want it" is a cancel intent, not a negated one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np

from ai_missions.knowledge_index.embeddings import embed_texts
from ai_missions.nodes.reading import KINDS, Evidence, Fact, Polarity, Source

_I = re.IGNORECASE
_W = r"(?<![\w])"  # a word start that also works before non-word first characters


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _I)


@dataclass(frozen=True)
class _Rule:
    primary: re.Pattern[str]
    #: A second component that must be in the clause or next to it (None: the primary is enough).
    companion: re.Pattern[str] | None = None
    #: Matches that are not this kind ("UPS pickup" is no store pickup).
    exclude: re.Pattern[str] | None = None


_AGREE = (
    _W + r"(agree[ds]?|agre+d|ok'?e?d|okay'?e?d|o\.k\.|approved?|accept(?:ed|s)?|fine with|happy to pay|consent(?:ed)?|"
    r"ok(?:ay)? (?:with|w/)|fine paying|authori[sz]ed|signed off|said yes|go-?ahead|green[- ]?lit|"
    r"wants? (?:the|it)|einverstanden|zugestimmt|"
    r"akzeptiert|genehmigt|d'accord|accept[ée]e?|approuv[ée]|valid[ée]|ok pour|de acuerdo|acept[óa]|aprob[óa]|"
    r"autoriz[óa]|conforme)"
)
_EXTRA = (
    r"(up-?charge|surcharge|upgr?a?de|\bdifference\b|extra (?:charge|cost|fee)|the extra\s*[$€£]?\s*\d|add-?on|"
    r"additional (?:charge|fee|cost)|"
    r"price difference|difference in price|\+\s*[$€£]?\s*\d|billed sep|charged? sep|separate (?:charge|capture)|"
    r"Aufpreis|Aufschlag|Zuschlag|Mehrkosten|aufgepreis|suppl[ée]ment|surco[uû]t|frais suppl|"
    r"cargo (?:adicional|extra)|recargo|costo extra|coste adicional|diferencia de precio)"
)
_BANK = r"(bank|acct|account|IBAN|routing|remit|payment details|Bankverbindung|Konto|RIB|compte|cuenta|bancari)"
_VERIFY = (
    r"(verif|confirm|validat|checked|call-?back|called back|rang back|Rückruf|bestätigt|geprüft|"
    r"v[ée]rifi|contre-appel|comprobad|validad)"
)
_PHONE = (
    r"(call-?back|called|phone|rang|telephon|Rückruf|angerufen|telefon|rappel|appel|t[ée]l[ée]phon|llamada|"
    r"llam[ée]|llamamos|tel[ée]fono)"
)
_EMAIL = r"(e-?mail|mail|reply|replied|Antwort|courriel|correo|respuesta)"
_VARIANT = (
    r"(size|colou?r|small|medium|large|x{0,2}l\b|xs\b|bigger|smaller|larger|black|white|red|blue|green|grey|gray|"
    r"Größe|Farbe|klein|mittel|groß|taille|couleur|petit|moyen|grand|talla|color|pequeñ|median|grande)"
)

RULES: dict[str, _Rule] = {
    "upcharge_agreed": _Rule(_rx(_AGREE), _rx(_EXTRA)),
    "restock_eta": _Rule(
        _rx(
            r"(re-?stock|replenish|back in stock|inbound|incoming|next (?:shipment|delivery|batch|truck)|\bETA\b|"
            r"arriv|due (?:in|on|back)|lands?\b|landing|expected (?:in|on|back)|back (?:on|by|in) |"
            r"Nachschub|wieder (?:auf Lager|verfügbar|lieferbar|da)|Liefertermin|Lieferung|r[ée]assort|"
            r"r[ée]approvision|de nouveau en stock|retour en stock|livraison|reposici[óo]n|reabastec|"
            r"de nuevo en stock|disponible de nuevo|llega)"
        ),
    ),
    "bank_verified": _Rule(_rx(_VERIFY), _rx(_BANK)),
    "exchange_intent": _Rule(
        _rx(
            r"(instead|exchange|swap|switch (?:it|to|for)|trade (?:it|for)|rather have|change (?:it|the size|to)|"
            r"umtauschen|Umtausch|tauschen|stattdessen|statt\b|lieber|[ée]chang|plut[ôo]t|[àa] la place|cambiar|cambio|"
            r"en su lugar|en vez)"
        ),
        _rx(_VARIANT + r"|(one|pair|version|model|Modell|modèle|modelo)\b"),
        _rx(r"exchange rate|Wechselkurs|taux de change|tipo de cambio"),
    ),
    "store_pickup": _Rule(
        _rx(
            r"(pick-?\s?up|collect(?:ion)? (?:in|at|from)|click\s*(?:&|and|\+|n|'n')\s*collect|BOPIS|will call|"
            r"hold (?:at|for) (?:the )?store|Abholung|abholen|Filiale|retrait|retirer|click & collect|recogida|"
            r"recoger|retiro en tienda)"
        ),
        _rx(r"(store|shop|branch|in-?store|counter|Filiale|Laden|Geschäft|magasin|boutique|tienda|sucursal|#\s*\d)"),
        _rx(r"(UPS|FedEx|DHL|USPS|carrier|courier|driver|Kurier|transporteur|mensajer)"),
    ),
    "cancel_intent": _Rule(
        _rx(
            r"(cancel|call (?:it )?off|don'?t want (?:it|this|the order|them) any ?more|no longer (?:want|need)|"
            r"ya no (?:lo |la |los |las )?(?:quiero|necesito)|nicht mehr (?:brauche|will)|"
            r"close (?:my|the) account|terminate|end (?:my|the) (?:subscription|plan|membership)|"
            r"storn|kündig|annul|r[ée]silier|r[ée]siliation|cancelar|cancelaci[óo]n|dar(?:me)? de baja)"
        ),
    ),
    "refund_request": _Rule(
        _rx(
            r"(refund|money back|reimburse|credit (?:my|the) card|charge-?back|Rückerstattung|erstatt|Geld zurück|"
            r"rembours|reembols|devolver el dinero|devu[ée]lvan)"
        ),
    ),
    "damage_reported": _Rule(
        _rx(
            r"(damag|broken|broke\b|cracked|smashed|dented|torn|defective|faulty|doesn'?t work|not working|"
            r"shattered|in pieces|leak|besch[äa]digt|kaputt|defekt|zerbrochen|gebrochen|endommag|cass[ée]|"
            r"ab[îi]m[ée]|d[ée]fectueu|fissur|da[ñn]ad|\broto\b|\brota\b|defectuos|estropead|no funciona)"
        ),
    ),
    "offer_accepted": _Rule(
        _rx(
            r"(accept|took|take (?:the|it|that)|taking|go(?:ing)? with|sounds good|deal\b|yes to|I'?ll stay|"
            r"stay(?:ing)? on|einverstanden|nehme|angenommen|j'accepte|accept[ée]|je reste|acepto|acept[óa]|"
            r"me quedo)"
        ),
        _rx(
            r"(offer|discount|% off|percent off|pause|downgrad|free month|months? free|credit|cheaper plan|"
            r"Angebot|Rabatt|pausier|offre|remise|r[ée]duction|oferta|descuento|pausa)"
        ),
    ),
}

_NEGATION = _rx(
    r"(?<![\w'])(not|no|never|didn'?t|doesn'?t|don'?t|won'?t|wasn'?t|isn'?t|hasn'?t|haven'?t|can'?t|cannot|"
    r"declined?|refused?|rejected?|denied|disputes?d?|withdr[ae]w|revoked?|un-?verified|unconfirmed|neither|nor|"
    r"nicht|kein\w*|nie|niemals|abgelehnt|widerrufen|pas|jamais|refus[ée]e?|aucune?|nunca|rechaz\w*|tampoco|"
    r"ningún|ninguna)(?![\w'])|n't\b"
)
_NOT_NEGATION = _rx(
    r"\bno\.?\s*#?\d|\bno (?:problem|worries|issue)s?|not a problem|kein problem|pas de probl[èe]me|"
    r"sin problema|no hay problema|ne .{0,20}que\b|no sooner"
)
#: Politeness, not a condition: "if possible", "si possible".
_POLITE = _rx(r"\b(?:if possible|if you can|si possible|si es posible|wenn möglich|falls möglich)\b")
_HEDGE = _rx(
    r"(?<![\w'])(might|may|maybe|perhaps|possibly|potentially|hopefully|probably|not sure|unsure|unclear|tbc|tbd|"
    r"to be \w+ed|pending|awaiting|waiting (?:for|on)|tentative|should be able|hope|trying to|try to|"
    r"thinking (?:about|of)|considering|wondering|hopes|hoped|vielleicht|eventuell|möglicherweise|"
    r"wahrscheinlich|unklar|"
    r"ausstehend|peut-[êe]tre|[ée]ventuellement|probablement|en attente|[àa] confirmer|quiz[áa]s?|tal vez|"
    r"a lo mejor|posiblemente|probablemente|pendiente|por confirmar)(?![\w'])|\bcould(?! (?:i|you|we)\b)"
)
_CONDITION = _rx(
    r"(?<![\w'])(if|unless|in case|provided (?:that)?|as long as|only when|wenn|falls|sofern|si|[àa] condition|"
    r"siempre (?:y )?que|en caso de)(?![\w'])"
)
_CLAUSES = re.compile(
    r"(?<=[.!?;])\s+|\n+|\s+(?=(?:but|however|although|aber|jedoch|mais|cependant|pero|sin embargo)\b)", _I
)

_AMOUNT = re.compile(
    r"(?:[$€£]|USD|EUR|GBP)\s*(\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
    r"|(\d{1,3}(?:[,.]\d{3})*(?:[.,]\d{2})|\d+(?:[.,]\d{2})?)\s*(?:[$€£]|USD|EUR|GBP|dollars?|euros?|bucks)"
    r"|(?<![\w.])(\d+[.,]\d{2})(?![\d])",
    _I,
)
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "couple of": 2,
    "ein": 1, "eine": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "un": 1, "une": 1, "deux": 2, "trois": 3,
    "quatre": 4, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4,
}  # fmt: skip
_UNIT_DAYS = [
    (r"(?:business |working )?days?|d\b|Tagen?|Werktagen?|jours?|d[íi]as?", 1),
    (r"wks?|weeks?|Wochen?|semaines?|semanas?", 7),
    (r"months?|mos?\b|Monaten?|Monat|mois|mes(?:es)?", 30),
]
_DURATION = re.compile(
    r"(\d+)(?:\s*(?:-|to|bis|à|a)\s*(\d+))?\s*(" + "|".join(u for u, _ in _UNIT_DAYS) + r")"
    r"|\b("
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + r")\s+("
    + "|".join(u for u, _ in _UNIT_DAYS)
    + r")",
    _I,
)
_RELATIVE = {
    r"next week|nächste Woche|la semaine prochaine|la pr[óo]xima semana|la semana que viene": 7,
    r"tomorrow|morgen|demain|mañana": 1,
    r"next month|nächsten Monat|le mois prochain|el mes que viene|el pr[óo]ximo mes": 30,
}
_ISO_DATE = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            "jan january januar janvier enero", "feb february februar février fevrier febrero",
            "mar march märz mars marzo", "apr april avril abril", "may mai mayo", "jun june juni juin junio",
            "jul july juli juillet julio", "aug august août aout agosto", "sep sept september septembre septiembre",
            "oct october oktober octobre octubre", "nov november novembre noviembre",
            "dec december dezember décembre decembre diciembre",
        ]
    )
    for m in names.split()
}  # fmt: skip
_DAY_MONTH = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:de\s+)?([a-zäéû]{3,10})\b|\b([a-zäéû]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b",
    _I,
)
_REFERENCE = re.compile(r"(?<![\w])#?([A-Z]{1,4}-?\d{3,}|W\d{5,}|\d{5,})(?![\w])")

#: Plain sentences, each in other words than the cues, for the semantic match.
PROTOTYPES: dict[str, tuple[str, ...]] = {
    "upcharge_agreed": (
        "the customer agreed to pay extra for the upgrade",
        "she said yes to the additional charge",
        "he was fine paying more for faster shipping",
    ),
    "restock_eta": (
        "new stock arrives from the supplier in two weeks",
        "the item will be available again next month",
        "more units are expected on the next delivery",
    ),
    "bank_verified": (
        "we confirmed the supplier's new bank details",
        "the account change was checked with the vendor",
    ),
    "exchange_intent": (
        "I would like a different size of this item",
        "can you send me the other colour",
        "please replace it with the bigger one",
    ),
    "store_pickup": (
        "the customer will collect the order at the shop",
        "I will come and get it from your store",
    ),
    "cancel_intent": (
        "I do not want this order any more",
        "please stop my subscription",
        "I want to close my account",
    ),
    "refund_request": ("I want my money back", "please return the payment to my card"),
    "damage_reported": ("the item arrived broken", "it was damaged when it got here", "the product does not work"),
    "offer_accepted": ("the customer took the discount and stays", "yes, I will take that offer"),
}
SEMANTIC_ALONE = 0.78  # a clause this close to a prototype is the kind even without a cue
SEMANTIC_WITH_CUE = 0.45  # a partial cue (one component of two) confirmed by meaning


@cache
def _prototype_vectors(kind: str) -> np.ndarray:
    return embed_texts(list(PROTOTYPES[kind]))


def clauses(text: str) -> list[tuple[int, str]]:
    """(start offset, clause) pieces: sentences, cut again at contrast words ("but", "aber", "mais", "pero")."""
    out, start = [], 0
    for match in _CLAUSES.finditer(text):
        piece = text[start : match.start()]
        if piece.strip():
            out.append((start, piece))
        start = match.end()
    if text[start:].strip():
        out.append((start, text[start:]))
    return out


def polarity(clause: str, cues: Sequence[tuple[int, int]] = ()) -> Polarity:
    """How a clause states what its cue names: the cue's own words are blanked first."""
    for start, end in cues or ():
        clause = clause[:start] + " " * (end - start) + clause[end:]
    cleaned = _POLITE.sub(" ", _NOT_NEGATION.sub(" ", clause))
    if _CONDITION.search(cleaned):  # "if it isn't here by Friday, cancel": the negation is the condition's
        return "conditional"
    if _NEGATION.search(cleaned):
        return "negated"
    if _HEDGE.search(cleaned):
        return "hedged"
    return "affirmed"


def amounts(text: str) -> list[float]:
    """Money amounts written in the text ("$12.50", "12,50 €", "EUR 1.234,00", "12.50")."""
    found = []
    for match in _AMOUNT.finditer(text):
        raw = next(g for g in match.groups() if g)
        if re.search(r"[.,]\d{1,2}$", raw):
            whole, cents = (
                raw[: -len(raw.split(raw[-3 if raw[-3] in ".," else -2])[-1]) - 1],
                re.split(r"[.,]", raw)[-1],
            )
        else:
            whole, cents = raw, "0"
        found.append(float(re.sub(r"[.,]", "", whole) + "." + cents))
    return found


def days_until(text: str, today: date | None = None) -> float | None:
    """Days from today to the time the text names: a duration ("ETA 21 days", "3-4 wks", "zwei Wochen"), a relative
    day ("next week") or a date ("2026-12-01", "March 12", "12 mars"; needs ``today``). The later end of a range."""
    match = _DURATION.search(text)
    if match:
        if match.group(3):
            count, unit = int(match.group(2) or match.group(1)), match.group(3)
        else:
            count, unit = _NUMBER_WORDS[match.group(4).lower()], match.group(5)
        factor = next(f for u, f in _UNIT_DAYS if re.fullmatch(u, unit, _I))
        return float(count * factor)
    for pattern, days in _RELATIVE.items():
        if re.search(pattern, text, _I):
            return float(days)
    if today is None:
        return None
    iso = _ISO_DATE.search(text)
    if iso:
        return float((date(int(iso[1]), int(iso[2]), int(iso[3])) - today).days)
    for m in _DAY_MONTH.finditer(text):
        day, month = (m[1], m[2]) if m[1] else (m[4], m[3])
        number = _MONTHS.get(month.lower().rstrip("."))
        if number and 1 <= int(day) <= 31:
            try:
                when = date(today.year, number, int(day))
            except ValueError:
                continue
            if when < today - timedelta(days=60):
                when = when.replace(year=today.year + 1)
            return float((when - today).days)
    return None


def references(text: str) -> list[str]:
    """Record references of any usual shape ("#W2611", "PO-4471", "order 100234")."""
    return [m.group(1) for m in _REFERENCE.finditer(text)]


def bank_method(text: str) -> str:
    phone, mail = re.search(_PHONE, text, _I), re.search(_EMAIL, text, _I)
    if phone and not (mail and mail.start() < phone.start()):
        return "call_back"
    if mail:
        return "email"
    if re.search(r"portal", text, _I):
        return "portal"
    return "other"


class OfflineReader:
    """Rules + scope + parsing + semantic matching; no network. ``semantic=False`` skips the embedding model."""

    name = "offline"

    def __init__(self, semantic: bool = True) -> None:
        self.semantic = semantic

    def read(self, text: str, source: Source, kinds: Sequence[str], *, today: date | None = None) -> list[Fact]:
        pieces = clauses(text)
        similarity = self._similarity([p for _, p in pieces], kinds) if self.semantic else {}
        facts = []
        for kind in kinds:
            rule = RULES[kind]
            for index in range(len(pieces)):
                fact = self._clause_fact(kind, rule, pieces, index, similarity.get(kind), source, today)
                if fact is not None:
                    facts.append(fact)
        return facts

    def _similarity(self, texts: list[str], kinds: Sequence[str]) -> dict[str, np.ndarray]:
        if not texts:
            return {}
        vectors = embed_texts(texts)
        return {k: (vectors @ _prototype_vectors(k).T).max(axis=1) for k in kinds if k in PROTOTYPES}

    def _clause_fact(
        self,
        kind: str,
        rule: _Rule,
        pieces: list[tuple[int, str]],
        index: int,
        similarity: np.ndarray | None,
        source: Source,
        today: date | None,
    ) -> Fact | None:
        clause = pieces[index][1]
        window = " ".join(p for _, p in pieces[max(0, index - 1) : index + 2])
        cue = rule.primary.search(clause)
        if cue and rule.exclude and rule.exclude.search(clause):
            return None
        sim = float(similarity[index]) if similarity is not None else 0.0
        if cue:
            # the field a text was written in may name the subject ("bank_accounts.verification_method")
            full = rule.companion is None or bool(rule.companion.search(window) or rule.companion.search(source.field))
            confidence = 0.9 if full else (0.7 if sim >= SEMANTIC_WITH_CUE else 0.4)
        elif sim >= SEMANTIC_ALONE:
            confidence = sim
        else:
            return None
        state = polarity(clause, [m.span() for m in rule.primary.finditer(clause)])
        value = self._value(kind, clause, window, today)
        if state == "affirmed" and KINDS[kind].value in ("amount", "days") and value is None:
            confidence = min(confidence, 0.5)  # "restock soon", "agreed to an upgrade": no figure to act on
        words = clause.strip()
        return Fact(kind, state, confidence, Evidence(source, words), value if state == "affirmed" else None)

    def _value(self, kind: str, clause: str, window: str, today: date | None) -> object:
        spec = KINDS[kind].value
        if spec == "amount":
            found = amounts(clause) or amounts(window)
            return found[-1] if found else None
        if spec == "days":
            return days_until(clause, today)
        if spec == "method":
            return bank_method(clause)
        return True
