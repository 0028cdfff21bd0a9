"""The offline reader: cue rules in the four supported languages (en, es, fr, de), negation/hedge/condition scope
per clause, amount/duration/date/reference parsing, and semantic matching with the shipped MiniLM model (the one the
knowledge index embeds with, loaded once) for wording the cues do not name.

A cue only says which kind a clause is about; whether it is stated, denied, hedged or conditional is read from the
clause with the cue's own words blanked ("no longer want it" is a cancel intent, not a negated one). Scope: a
condition or a hedge covers its whole sentence; a negation covers only the part of the sentence the cue is in (cut at
commas, dashes and "and"), so "offered pause, customer declined and cancelled" is a cancellation; a bare "no" answering
a question ("cancel?? no no") and a negating prefix ("unverified") deny it too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from itertools import pairwise

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
    #: A full cue on its own, in other words than primary + companion ("get these in an 8").
    alternative: re.Pattern[str] | None = None
    #: Words that state the opposite of the kind ("the blender itself is fine" denies damage). They yield to a cue
    #: stated in the same text, unless that cue's clause is about something minor ("the box was a bit dented").
    opposite: re.Pattern[str] | None = None
    minor: re.Pattern[str] | None = None
    #: The companion is what the cue acts on ("took the discount"): a negation next to it denies the fact too.
    companion_in_scope: bool = False


_AGREE = (
    _W + r"(agree[ds]?|agre+d|ok'?e?d|okay'?e?d|o\.k\.|approved?|accept(?:ed|s)?|fine with|happy to pay|consent(?:ed)?|"
    r"ok(?:ay)? (?:with|w/)|fine paying|authori[sz]ed|signed off|said yes|go-?ahead|green[- ]?lit|"
    r"wants? (?:the|it)|go[- ]ahead|go for it|said (?:yes|ok|okay|that'?s fine|fine)|(?:fine|cool|ok|okay) w(?:ith|/)|"
    r"that'?s (?:fine|ok)|(?:is|are) (?:fine|ok)\b|ok(?:ay)? (?:to pay|paying)|agreed|"
    # paying is agreeing only when what was paid is the extra ("paid the 7.25 difference", "pagó los 5 € extra")
    r"(?:paid|pag[óo]|a pay[ée]|bezahlt) (?:for )?(?:the |an? |los |las |el |la |le |les )?"
    r"(?:[$€£]?\s*\d[\d.,]*\s*[$€£]?\s*)?"
    r"(?:difference|diff|extra|more|upgrade|surcharge|diferencia|m[áa]s|suppl[ée]ment|Aufpreis)|"
    r"einverstanden|zugestimmt|freigegeben|"
    r"(?:sind|ist) ok|hat ja gesagt|dit oui|accord|dijo que s[íi]|est[áa] bien|vale\b|"
    r"akzeptiert|genehmigt|d'accord|accept[ée]e?|approuv[ée]|valid[ée]|ok pour|de acuerdo|acept[óa]|aprob[óa]|"
    r"autoriz[óa]|conforme)"
)
_EXTRA = (
    r"(up-?charge|surcharge|upgr?a?de|\bdifference\b|diff\b|extra (?:charge|cost|fee)|extra\s*[$€£]?\s*\d|add-?on|"
    r"additional (?:charge|fee|cost)|premium|(?:2nd|second|separate|another) (?:charge|capture|auth|txn|transaction)|"
    r"\d\s*(?:[$€£]|bucks|dollars?|euros?|EUR|USD)?\s*(?:extra|more|mehr|de plus|en plus|m[áa]s|additional)\b|"
    r"Mehrpreis|Expresszuschlag|"
    r"price difference|difference in price|\+\s*[$€£]?\s*\d|billed sep|charged? sep|separate (?:charge|capture)|"
    r"Aufpreis|Aufschlag|Zuschlag|Mehrkosten|aufgepreis|suppl[ée]ment|surco[uû]t|frais suppl|"
    r"cargo (?:adicional|extra)|recargo|costo extra|coste adicional|diferencia de precio)"
)
_BANK = r"(bank|acct|account|IBAN|routing|remit|payment details|Bankverbindung|Konto|RIB|compte|cuenta|bancari)"
_VERIFY = (
    r"(verif|confirm|validat|valid[ée]|checked|call[- ]?back|\bcb\b|called back|rang back|Rückruf|bestätigt|geprüft|"
    r"v[ée]rifi|contre-appel|comprobad|validad)"
)
_PHONE = (
    r"(call[- ]?back|\bcb\b|called|phone|rang|telephon|Rückruf|angerufen|telefon|rappel|appel|t[ée]l[ée]phon|llamada|"
    r"llam[ée]|llamamos|tel[ée]fono)"
)
_EMAIL = r"(e-?mail|mail|reply|replied|Antwort|courriel|correo|respuesta)"
_VARIANT = (
    r"(size|colou?r|small|medium|large|\bx{0,2}l\b|\bxs\b|bigger|smaller|larger|black|white|red|blue|green|grey|gray|"
    r"Größe|Farbe|klein|mittel|groß|taille|couleur|petit|moyen|grand|talla|color|pequeñ|median|grande)"
)

#: Asking for something: with a variant other than the one ordered it is an exchange.
_REQUEST = (
    r"(?:\bget\b|\bwant|\bneed|\bhave\b|\bsend\b|prefer|rather|\blike\b|\bpay\b|bekommen|haben|hätte|möchte|"
    r"schicken|avoir|pr[ée]f[ée]r\w*|voudrais|aimerais|envoyer|quiero|quisiera|prefier\w*|mandar|enviar)"
)
_SIZE = (
    r"(?:\d{1,2}(?:[.,]5)?|x{0,3}[sml]|xl)\b"
    r"(?!\s*(?:-|%|\$|€|days?|d\b|weeks?|wks?|hours?|hrs?|units?|pcs|items?|x\b))"
)
_OTHER_VARIANT = (
    r"(?:larger|bigger|smaller|(?:a|one) size (?:up|down|bigger|smaller|larger)|size (?:up|down)|next size|"
    r"(?:different|other) (?:size|colou?r)|au-dessus|en dessous|plus (?:grand|petit)e?|Nummer (?:größer|kleiner)|"
    r"größer|kleiner|m[áa]s (?:grande|pequeñ[oa])|"
    r"(?:the|in|a) (?:small|medium|large|x+-?large)(?= one| size|\s*[?.!,]|$)|"
    rf"in (?:an? |size )?{_SIZE}|(?:\ban?|size|talla|taille|Größe) {_SIZE})"
)

RULES: dict[str, _Rule] = {
    "upcharge_agreed": _Rule(
        _rx(_AGREE),
        _rx(_EXTRA),
        _rx(
            r"waived?|no (?:extra )?charge|free of charge|at no (?:extra )?cost|goodwill|comped|kostenlos|gratuit|"
            r"sans frais|sin cargo|sin coste"
        ),
        companion_in_scope=True,
    ),
    "restock_eta": _Rule(
        _rx(
            r"(re-?stock|replenish|back in stock|inbound|incoming|next (?:shipment|delivery|batch|truck|container)|"
            r"\bETA\b|arriv|(?<!payment )(?<!invoice )(?<!balance )\bdue\b|lands?\b|landing|"
            r"expected (?:in|on|back)|back (?:on|by|in) |transfer|"
            r"(?:getting|receiving|expecting) (?:\d+|more|another|new)\b|"
            r"Nachschub|wieder (?:auf Lager|verfügbar|lieferbar|da)|Liefertermin|Lieferung|nachliefer|"
            r"liefert\b.*\bnach\b|"
            r"Umlagerung|Wareneingang|r[ée]assort|r[ée]appro|de nouveau en stock|retour en stock|"
            r"livraison|transfert|reposici[óo]n|\brepon(?:e|en|dr)\w*|reabastec|de nuevo en stock|disponible de nuevo|"
            r"llega|entrada de mercanc|traspaso)"
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
        alternative=_rx(rf"{_REQUEST}.{{0,40}}{_OTHER_VARIANT}|{_OTHER_VARIANT}.{{0,40}}{_REQUEST}"),
    ),
    "store_pickup": _Rule(
        _rx(
            r"(pick-?\s?up|pick(?:s|ed|ing)? (?:it|them) up|"
            r"collect(?:s|ed|ing|ion)?\s+(?:it\s+|them\s+|the \w+\s+)?(?:in|at|from|@)|"
            r"(?:in-?store|store|shop) collection|click\s*(?:&|and|\+|n|'n')\s*collect|BOPIS|will call|"
            r"hold (?:at|for) (?:the )?store|ship(?:ped)? to (?:the )?store|grab (?:it|them|the|my)|swing by|stop by|"
            r"drop by|come (?:by|in)|"
            r"Abholung|abholen|Filiale|retrait|retirer|r[ée]cup[ée]rer|passer? (?:le |la )?chercher|recogida|recog\w*|"
            r"retiro en tienda|retirar)"
        ),
        _rx(
            r"(store|shop|branch|in-?store|counter|Filiale|Laden|Geschäft|magasin|boutique|comptoir|tienda|sucursal|"
            r"local|#\s*\d)"
        ),
        _rx(
            r"(UPS|FedEx|DHL|USPS|carrier|courier|driver|Kurier|transporteur|mensajer|locker|Packstation|Paketshop|"
            r"relais|relay|post office|Postfiliale|pickup point|parcel shop|bureau de poste|correos)"
        ),
        opposite=_rx(
            r"ship(?:ped)? to (?:the )?(?:home|customer|address)|home delivery|"
            r"deliver(?:y|ed)? to (?:the )?(?:home|door)|"
            r"Lieferung nach Hause|Hauslieferung|livraison [àa] domicile|entrega a domicilio"
        ),
    ),
    "cancel_intent": _Rule(
        _rx(
            r"(cancel|call (?:it )?off|don'?t (?:want|need) (?:it|this|the \w+|them) any ?more|no longer (?:want|need)|"
            r"(?:stop|end|kill|terminate|close|quit|drop) (?:my|the|this) (?:\w+ )?"
            r"(?:order|subscription|membership|plan|account|contract|service)|wants? out\b|I'?m out\b|"
            r"(?:Abo|Vertrag|Mitgliedschaft|Konto)\w* (?:\w+ )*beenden|arr[êe]ter (?:mon|ma|l')|mettre fin|je pars\b|"
            r"anul[aeo]\w*|me voy\b|"
            r"ya no (?:lo |la |los |las )?(?:quiero|necesito)|nicht mehr (?:brauche|will)|"
            r"close (?:my|the) account|terminate|end (?:my|the) (?:subscription|plan|membership)|"
            r"storn|kündig|annul|r[ée]silier|r[ée]siliation|cancelar|cancelaci[óo]n|dar(?:me)? de baja)"
        ),
    ),
    "refund_request": _Rule(
        _rx(
            r"(refund|(?:money|cash|\$+|funds|payment) (?:back|returned)|return (?:the|my) (?:money|payment|funds)|"
            r"credit (?:it |them |the [\w.,$€£ ]{0,12}|[$€£]?\d[\d.,]* )?back (?:to|on|onto)|"
            r"reimburse|credit (?:my|the) card|charge-?back|Rückerstattung|erstatt|Geld zurück|"
            r"rembours|reembols|devolver el dinero|devu[ée]lvan)"
        ),
    ),
    "damage_reported": _Rule(
        _rx(
            r"(damag|broken|broke\b|cracked|smashed|dented|torn|defective|faulty|doesn'?t work|not working|"
            r"shattered|in pieces|leak|scratch|scuff|chipped|snapped|(?:came|fell|come) (?:off|apart)|\bDOA\b|"
            r"dead on arrival|(?:won'?t|doesn'?t|does not|will not) (?:turn|switch|power|start) on|stopped working|"
            r"besch[äa]digt|kaputt|defekt|zerbrochen|gebrochen|gesprungen|zerkratzt|abgebrochen|(?:ist|sind|war) ab\b|"
            r"funktioniert nicht|endommag|cass[ée]|ab[îi]m[ée]|d[ée]fectueu|fissur|ray[ée]|"
            r"ne (?:marche|fonctionne) pas|"
            r"da[ñn]ad|\broto\b|\brota\b|rajad|defectuos|estropead|no funciona|no (?:enciende|prende|arranca))"
        ),
        opposite=_rx(
            r"(?:is|are|was|were|looks?|works?|seems?) (?:\w+ )?(?:fine|ok|okay|perfect|intact)\b|undamaged|"
            r"\bintact|heil\b|unbeschädigt|en (?:parfait|bon) état|en (?:perfecto|buen) estado|intact[oa]"
        ),
        minor=_rx(r"box|packag|parcel|carton|Karton|Paket|Verpackung|colis|emballage|caja|paquete|embalaje"),
    ),
    "offer_accepted": _Rule(
        _rx(
            r"(accept|took|take (?:the|it|that)|taking|go(?:ing)? with|sounds good|deal\b|yes\b|yeah|yep|sure\b|"
            r"\bok\b|okay|fine\b|alright|works for me|I'?ll (?:stay|do)|she'?ll do|he'?ll do|"
            r"agreed to stay|stay(?:ing)? on|einverstanden|nehme|angenommen|j'accepte|accept[ée]|je reste|d'accord|"
            r"acepto|acept[óa]|me quedo|vale\b)"
        ),
        _rx(
            r"(offer|discount|% off|percent off|pause|downgrad|free month|months? free|\bfree\b|gratis|credit|"
            r"cheaper|half (?:price|off)|\bbasic\b|Angebot|Rabatt|pausier|Pause|günstiger|offre|remise|r[ée]duction|"
            r"moins cher|oferta|descuento|pausa|m[áa]s barato)"
        ),
        companion_in_scope=True,
    ),
}

_NEGATION = _rx(
    r"(?<![\w'])(not|no|never|didn'?t|doesn'?t|don'?t|won'?t|wasn'?t|isn'?t|hasn'?t|haven'?t|can'?t|cannot|"
    r"declined?|refused?|rejected?|denied|disputes?d?|withdr[ae]w|revoked?|un-?verified|unconfirmed|neither|nor|"
    r"nobody|no one|nothing|none|failed|fails|unable|impossible|unsuccessful|"
    r"nicht|kein\w*|nie|niemals|nein|weder|niemand|nichts|abgelehnt|widerrufen|fehlgeschlagen|gescheitert|erfolglos|"
    r"unmöglich|pas|jamais|refus[ée]e?s?|aucune?s?|non|[ée]chou[ée]e?s?|[ée]chec|"
    r"nunca|jam[áa]s|nadie|nada|ni|rechaz\w*|tampoco|ningun[oa]?s?|ningún|fall[óo]|fallid[oa]s?|imposible)(?![\w'’-])"
    # French "ne ... plus/rien/personne/guère/point" (the "pas", "jamais", "aucun" forms are words of their own)
    r"|n't\b|(?<![\w'])n(?:e\b|['’])\s*[\w-]+(?:\s+[\w-]+)?\s+(?:plus|rien|personne|gu[èe]re|point)\b"
)
#: Words that deny only what directly follows them ("without verification", "sans rappel", "sin verificar",
#: "ohne Rückruf", "non-vérifié"): elsewhere in the part they say something else ("agreed without hesitation").
_BEFORE_CUE_NEGATION = re.compile(
    r"(?<![\w])(?:(?:without|w/o|sans(?! doute)|sin|ohne|non|yet to|still to)[\s-]+(?:[\w'’]+\s+){0,2}|un|non-?)§",
    _I,
)
_NOT_NEGATION = _rx(
    # "the no. from vendor master": a number, not a denial
    r"\bno\.?\s*#?\d|\bno\.\s+(?=(?-i:[a-z]))|"
    r"\bno (?:problem|worries|issue)s?|not a problem|kein problem|pas de probl[èe]me|"
    r"sin problema|no hay problema|ne .{0,20}que\b|no sooner|no later than|not later than|not only|no doubt|"
    r"nicht nur|non seulement|no s[óo]lo|sans faute|sin falta|ohne Weiteres"
)
#: Politeness, not a condition: "if possible", "si possible"; "if you can do 50% off" is a condition.
_POLITE = _rx(r"\b(?:if possible|if you can|si possible|si es posible|wenn möglich|falls möglich)(?=\s*(?:[,.!?)]|$))")
#: Words that withdraw the certainty of what was just said ("can't promise", "unconfirmed", "rien de sûr").
_QUALIFIER_WORDS = (
    r"unconfirmed|not confirmed|can'?t promise|cannot promise|won'?t commit|not committ\w*|no guarantee|"
    r"not guaranteed|ohne Gewähr|unverbindlich|rien de s[ûu]r|sans garantie|sin garant[íi]a|sin confirmar"
)
_QUALIFIER = _rx(rf"(?<![\w'])(?:{_QUALIFIER_WORDS})(?![\w'])")
_HEDGE = _rx(
    r"(?<![\w'])(might|may|maybe|perhaps|possibly|potentially|hopefully|probably|not sure|unsure|unclear|tbc|tbd|"
    r"to be \w+ed|pending|awaiting|waiting (?:for|on)|tentative|should be able|hope|trying to|try to|"
    r"thinking (?:about|of)|think (?:about|it over)|considering|wondering|hopes|hoped|undecided|not decided|"
    r"in progress|underway|attempted|tried|I think|I believe|pretty sure|apparently|supposedly|seems|seemed|"
    rf"{_QUALIFIER_WORDS}|reconfirm|double-?check|check w(?:ith|/)|"
    r"vielleicht|eventuell|möglicherweise|wahrscheinlich|unklar|überleg\w*|noch offen|versucht|ohne Gewähr|"
    r"ausstehend|peut-[êe]tre|[ée]ventuellement|probablement|en attente|[àa] confirmer|en cours|pas s[ûu]r|"
    r"rien de s[ûu]r|r[ée]fl[ée]chi\w*|je crois|quiz[áa]s?|tal vez|"
    r"a lo mejor|posiblemente|probablemente|pendiente|por confirmar|en curso|no s[ée]|creo que|sin confirmar|"
    # belief, expectation and hearsay: what someone thinks or was told is not what happened
    r"should|ought to|supposed to|likely|presumably|allegedly|reportedly|guess|suppose|assume|reckon|"
    r"(?:I|we) think|as far as I know|afaik|iirc|outstanding|yet to|still to|"
    r"sollte\w*|soll|glaube\w*|denke|vermutlich|angeblich|wohl|anscheinend|scheinbar|scheint|offenbar|"
    r"devrai\w*|devrio\w*|je pense|on pense|semble\w*|para[îi]t|apparemment|normalement|a priori|cens[ée]e?s?|"
    r"suppos[ée]\w*|sans doute|il se peut|"
    r"deber[íi]a\w*|supuestamente|al parecer|aparentemente|parece|pienso|supongo|imagino|en principio|"
    r"seguramente|puede que)"
    r"(?![\w'])|(?<!\bI )\bcould(?! (?:i|you|we)\b)"
)
_CONDITION = _rx(
    r"(?<![\w'])(if|unless|in case|provided (?:that)?|as long as|only when|wenn|falls|sofern|si|[àa] condition|"
    r"siempre (?:y )?que|en caso de)(?![\w'])"
)
#: A period after these is an abbreviation, not a sentence end ("the no. from vendor master", "J. Ortiz").
_ABBREVIATION = re.compile(
    r"(?:\b(?i:no|nr|tel|ref|approx|ca|vs|etc|kd|bzw|st|mr|ms|dr)|\b[A-Z]|(?<![\d.])\d{1,2}(?:\.\d{1,2})?)\.$"
)
_CLAUSES = re.compile(
    r"(?<=[.!?;])\s+|\n+|\s+(?=(?:but|however|although|aber|jedoch|mais|cependant|pero|sin embargo)\b)", _I
)
#: Where a negation's scope ends inside a sentence.
_PARTS = re.compile(r"[,;]\s|\s[-–—]+\s|\s(?:and|und|et|y|then|so|dann|puis|luego)\s", _I)
#: A bare "no" answering the question before it ("cancel?? no no, I just want ...").
_DENIAL = _rx(r"^\W*(?:no+|nope|nah|nein|non|negative)(?:[\s,.!]+(?:no+|nope|nein|non))*(?:\s+thanks?)?\s*(?:[,.!;]|$)")
#: A question asking about terms, not for the thing ("what's your refund policy?").
_INFO_QUESTION = _rx(
    r"^\W*(?:what(?:'s| is| are)|how (?:much|long|does|do)|is there|quel(?:le)?s? est|combien|cu[áa]nto|qu[ée] es|"
    r"cu[áa]l es|was kostet|wie (?:viel|lange)|gibt es)\b[^?]*\?"
)
#: A cue marks its own place with this when blanked, so "to be verified" still reads as not yet done.
_BLANK = "§"

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
_UNIT_DAYS: list[tuple[str, float]] = [
    (r"hrs?\b|hours?|Stunden|heures|horas", 1 / 24),
    (r"(?:business |working )?days?|d\b|Tagen?|Werktagen?|jours?|d[íi]as?", 1),
    (r"fortnights?", 14),
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
#: A duration in the past ("ordered 2 weeks ago", "vor 3 Tagen", "il y a 2 semaines", "hace 2 semanas").
_PAST = re.compile(r"\s*(?:ago|back|earlier)\b", _I)
_PAST_BEFORE = re.compile(r"(?:\bvor|il y a|\bhace|\bsince|for the (?:past|last))\s*$", _I)
#: Numeric dates: "10.12." (day first), "15/12", "12/9" (whichever reading is the nearest ahead).
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.])(\d{1,2})(?:(\.)(\d{1,2})(?:\.(\d{4}|\d{2})\b|\.)|(/)(\d{1,2})(?:/(\d{4}|\d{2}))?)(?![\d/])"
)
#: A numeric date further ahead than this is a date gone by ("approved 11/20"), not the one awaited.
_AHEAD_AT_MOST = 183
_ORDINAL_DAY = re.compile(
    r"\b(?:the|le|el|am|den)\s+(\d{1,2})(?:st|nd|rd|th|\.|er)?\b(?!\s*(?:%|[$€£]|units?|pcs))", _I
)
_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            "monday mon montag lundi lunes", "tuesday tue tues dienstag mardi martes",
            "wednesday wed mittwoch mercredi miércoles miercoles", "thursday thu thurs donnerstag jeudi jueves",
            "friday fri freitag vendredi viernes", "saturday sat samstag samedi sábado sabado",
            "sunday sun sonntag dimanche domingo",
        ]
    )
    for name in names.split()
}  # fmt: skip
_WEEKDAY = re.compile(r"\b(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\b", _I)
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
#: Marks, inside the reader only, a denial read from the opposite words (see ``_Rule.opposite``).
_OPPOSITE = "offline:opposite"
SEMANTIC_ALONE = 0.78  # a clause this close to a prototype is the kind even without a cue
SEMANTIC_WITH_CUE = 0.45  # a partial cue (one component of two) confirmed by meaning


@cache
def _prototype_vectors(kind: str) -> np.ndarray:
    return embed_texts(list(PROTOTYPES[kind]))


def clauses(text: str) -> list[tuple[int, str]]:
    """(start offset, clause) pieces: sentences, cut again at contrast words ("but", "aber", "mais", "pero")."""
    out, start = [], 0
    for match in _CLAUSES.finditer(text):
        if _ABBREVIATION.search(text, 0, match.start()):
            continue
        piece = text[start : match.start()]
        if piece.strip():
            out.append((start, piece))
        start = match.end()
    if text[start:].strip():
        out.append((start, text[start:]))
    return out


def _spaces(match: re.Match[str]) -> str:
    return " " * len(match.group())


def polarity(clause: str, cues: Sequence[tuple[int, int]] = ()) -> Polarity:
    """How a clause states what its cue names: the cue's own words are blanked first. A condition or a hedge
    anywhere in the clause counts; a negation only in the parts the cues are in (all of it when there is no cue)."""
    for start, end in cues or ():
        clause = clause[:start] + _BLANK * (end - start) + clause[end:]
    cleaned = _POLITE.sub(_spaces, _NOT_NEGATION.sub(_spaces, clause))  # same length: the cue offsets still hold
    if _CONDITION.search(cleaned):  # "if it isn't here by Friday, cancel": the negation is the condition's
        return "conditional"
    scope = cleaned
    if cues:
        bounds = [0, *(m.end() for m in _PARTS.finditer(cleaned)), len(cleaned) + 1]
        scope = " | ".join(cleaned[a:b] for a, b in pairwise(bounds) if any(a <= start < b for start, _ in cues))
    if _NEGATION.search(scope.replace(_BLANK, " ")) or _BEFORE_CUE_NEGATION.search(scope):
        return "negated"
    if _HEDGE.search(cleaned.replace(_BLANK, " ")) or re.search(rf"\bto be {_BLANK}", cleaned, _I):
        return "hedged"
    if _INFO_QUESTION.search(cleaned.replace(_BLANK, "x")):
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
    for match in _DURATION.finditer(text):
        if _PAST.match(text, match.end()) or _PAST_BEFORE.search(text, 0, match.start()):
            continue
        if match.group(3):
            count, unit = int(match.group(2) or match.group(1)), match.group(3)
        else:
            count, unit = _NUMBER_WORDS[match.group(4).lower()], match.group(5)
        factor = next(f for u, f in _UNIT_DAYS if re.fullmatch(u, unit, _I))
        return float(round(count * factor, 2))
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
    for m in _NUMERIC_DATE.finditer(text):
        if m[2]:
            ahead = _numeric_date(today, [(int(m[1]), int(m[3]))], m[4])
        else:
            ahead = _numeric_date(today, [(int(m[1]), int(m[6])), (int(m[6]), int(m[1]))], m[7])
        if ahead is not None:
            return float(ahead)
    weekday = _WEEKDAY.search(text)
    if weekday:
        return float((_WEEKDAYS[weekday[1].lower()] - today.weekday() - 1) % 7 + 1)
    ordinal = _ORDINAL_DAY.search(text)
    if ordinal:
        day = int(ordinal[1])
        month, year = (today.month, today.year) if day >= today.day else (today.month % 12 + 1, today.year)
        year += int(month < today.month)
        ahead = _numeric_date(today, [(day, month)], str(year))
        return None if ahead is None else float(ahead)
    return None


def _numeric_date(today: date, readings: list[tuple[int, int]], year: str | None) -> int | None:
    """Days ahead to a numeric date, (day, month) readings tried in turn (a slash date is read both ways: "12/9" is
    the 9th of December when that is the nearest ahead); a date gone by or too far ahead is none."""
    best = None
    for day, month in readings:
        for y in [int(year) + (2000 if len(year) == 2 else 0)] if year else [today.year, today.year + 1]:
            try:
                when = date(y, month, day)
            except ValueError:
                break
            if when < today:
                continue
            ahead = (when - today).days
            if ahead <= _AHEAD_AT_MOST and (best is None or ahead < best):
                best = ahead
            break
    return best


def references(text: str) -> list[str]:
    """Record references of any usual shape ("#W2611", "PO-4471", "order 100234")."""
    return [m.group(1) for m in _REFERENCE.finditer(text)]


def bank_method(text: str) -> str:
    """How an account was verified; a phone word that is denied ("no call-back", "sans rappel", "kein Rückruf") or
    hedged names no call-back."""
    phone = next((m for m in re.finditer(_PHONE, text, _I) if polarity(text, [m.span()]) == "affirmed"), None)
    mail = re.search(_EMAIL, text, _I)
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
        return self.read_all([(source, text)], kinds, today=today)[0]

    def read_all(
        self, texts: Sequence[tuple[Source, str]], kinds: Sequence[str], *, today: date | None = None
    ) -> list[list[Fact]]:
        """Every clause of every text is embedded in one model call: the model's fixed cost per call is most of
        a short text's (an address's three lines: 6.7 ms of CPU at once, 14.8 ms one by one)."""
        pieces = [clauses(text) for _, text in texts]
        similarity = self._similarity([p for own in pieces for _, p in own], kinds) if self.semantic else {}
        out, start = [], 0
        for (source, _), own in zip(texts, pieces, strict=True):
            mine = {kind: scores[start : start + len(own)] for kind, scores in similarity.items()}
            out.append(self._facts(own, mine, source, kinds, today))
            start += len(own)
        return out

    def _facts(
        self,
        pieces: list[tuple[int, str]],
        similarity: Mapping[str, np.ndarray],
        source: Source,
        kinds: Sequence[str],
        today: date | None,
    ) -> list[Fact]:
        facts = []
        for kind in kinds:
            rule = RULES[kind]
            own, opposites, stated = [], [], False
            for index, (_, clause) in enumerate(pieces):
                fact = self._clause_fact(kind, rule, pieces, index, similarity.get(kind), source, today)
                if fact is None:
                    continue
                if fact.reader == _OPPOSITE:
                    opposites.append(replace(fact, reader=self.name))
                    continue
                own.append(fact)
                stated |= fact.polarity == "affirmed" and not (rule.minor and rule.minor.search(clause))
            facts += own + ([] if stated else opposites)
        return facts

    def _similarity(self, texts: list[str], kinds: Sequence[str]) -> dict[str, np.ndarray]:
        if not texts or not any(k in PROTOTYPES for k in kinds):
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
        cues = [m.span() for m in rule.primary.finditer(clause)]
        alternative = [m.span() for m in rule.alternative.finditer(clause)] if rule.alternative else []
        if (cues or alternative) and rule.exclude and rule.exclude.search(clause):
            return None
        # the companion is in a neighbouring sentence: what excludes the kind may be there too
        elsewhere = bool(cues and rule.companion and not rule.companion.search(clause))
        if elsewhere and rule.exclude and rule.exclude.search(window):
            return None
        sim = float(similarity[index]) if similarity is not None else 0.0
        if alternative:
            confidence = 0.9
        elif cues:
            # the field a text was written in may name the subject ("bank_accounts.verification_method")
            full = rule.companion is None or bool(rule.companion.search(window) or rule.companion.search(source.field))
            confidence = 0.9 if full else (0.7 if sim >= SEMANTIC_WITH_CUE else 0.4)
        elif rule.opposite and rule.opposite.search(clause) and polarity(clause) == "affirmed":
            # "the item itself is fine": a denial in other words
            return Fact(kind, "negated", 0.8, Evidence(source, clause.strip()), None, reader=_OPPOSITE)
        elif sim >= SEMANTIC_ALONE:
            confidence = sim
        else:
            return None
        scope = cues + alternative
        if cues and rule.companion_in_scope and rule.companion:
            scope += [m.span() for m in rule.companion.finditer(clause)]
        state = polarity(clause, scope)
        following = pieces[index + 1][1] if index + 1 < len(pieces) else ""
        if state == "affirmed" and clause.rstrip().endswith("?") and _DENIAL.match(following):
            state = "negated"  # "cancel?? no no, I just want to change the address"
        elif state == "affirmed" and _QUALIFIER.search(following) and not rule.primary.search(following):
            state = "hedged"  # "back in ~10 days but vendor won't commit"
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
