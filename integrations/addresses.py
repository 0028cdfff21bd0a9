"""Postal addresses: the shared model, a comparable fingerprint, and a deterministic rule-based validator.

The validator knows a small gazetteer of US cities (region and postal codes). It answers like a real address
service: ``valid``; ``corrected`` with a suggested fix (wrong postal code for the city, misspelled street
suffix, lower-case region); or ``undeliverable`` (no street number, unknown city, unsupported country).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Literal

from pydantic import BaseModel, Field

ValidationStatus = Literal["valid", "corrected", "undeliverable"]

#: city -> (region, valid postal codes). Deliberately small: the seeded book only ships to these.
GAZETTEER: dict[str, tuple[str, tuple[str, ...]]] = {
    "Seattle": ("WA", ("98101", "98103", "98109", "98115")),
    "Portland": ("OR", ("97201", "97205", "97209", "97214")),
    "San Francisco": ("CA", ("94103", "94110", "94114", "94122")),
    "Los Angeles": ("CA", ("90012", "90026", "90028", "90045")),
    "San Diego": ("CA", ("92101", "92103", "92109")),
    "Denver": ("CO", ("80202", "80205", "80210", "80220")),
    "Austin": ("TX", ("78701", "78704", "78745", "78751")),
    "Dallas": ("TX", ("75201", "75204", "75214", "75230")),
    "Houston": ("TX", ("77002", "77006", "77019", "77098")),
    "Chicago": ("IL", ("60601", "60614", "60622", "60657")),
    "Minneapolis": ("MN", ("55401", "55405", "55408", "55414")),
    "Detroit": ("MI", ("48201", "48207", "48226")),
    "Atlanta": ("GA", ("30303", "30306", "30309", "30318")),
    "Miami": ("FL", ("33125", "33130", "33137", "33139")),
    "Nashville": ("TN", ("37203", "37206", "37208", "37212")),
    "Boston": ("MA", ("02108", "02115", "02116", "02130")),
    "New York": ("NY", ("10001", "10011", "10025", "10128")),
    "Brooklyn": ("NY", ("11201", "11211", "11215", "11238")),
    "Philadelphia": ("PA", ("19103", "19104", "19123", "19147")),
    "Washington": ("DC", ("20001", "20002", "20009", "20016")),
    "Phoenix": ("AZ", ("85003", "85004", "85014", "85018")),
    "Salt Lake City": ("UT", ("84101", "84102", "84105", "84111")),
    "Raleigh": ("NC", ("27601", "27603", "27605", "27608")),
    "Columbus": ("OH", ("43201", "43206", "43215")),
}

#: Misspelled street suffixes the validator corrects.
SUFFIX_FIXES: dict[str, str] = {"Stret": "Street", "Steet": "Street", "Avenu": "Avenue", "Aveune": "Avenue"}
STREET_SUFFIXES: tuple[str, ...] = ("Street", "Avenue", "Road", "Lane", "Drive", "Boulevard", "Place", "Way", "Court")


#: The columns a table keeps an address in (the fingerprint is computed from them).
COLUMNS = ("name", "line1", "line2", "city", "region", "postal_code", "country")


class Address(BaseModel):
    """A postal address. ``fingerprint`` is a normalized key: equal fingerprints mean the same place."""

    name: str
    line1: str
    line2: str | None = None
    city: str
    region: str
    postal_code: str
    country: str = "US"
    fingerprint: str = ""

    def model_post_init(self, _context: object) -> None:
        self.fingerprint = fingerprint(self.line1, self.line2, self.postal_code, self.country)

    @classmethod
    def from_row(cls, row: sqlite3.Row, prefix: str = "") -> Address:
        """The address a stored row holds in its own columns (``name``, ``line1``... each after ``prefix``, as an
        order's ``ship_name``, ``ship_line1``...)."""
        return cls(**{column: row[prefix + column] for column in COLUMNS})


class AddressValidation(BaseModel):
    """What the address service says about an address."""

    status: ValidationStatus
    issues: list[str] = Field(default_factory=list, description="Reason codes, e.g. postal_code_mismatch")
    suggestion: Address | None = Field(default=None, description="The corrected address (status 'corrected' only)")


def _norm(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).strip()


def fingerprint(line1: str, line2: str | None, postal_code: str, country: str) -> str:
    """A comparable key of an address: street lines, postal code and country, case and punctuation folded."""
    return "|".join((_norm(line1), _norm(line2), _norm(postal_code), _norm(country)))


def validate(address: Address) -> AddressValidation:
    """Validate an address against the gazetteer; deterministic, no network."""
    if address.country.upper() != "US":
        return AddressValidation(status="undeliverable", issues=["unsupported_country"])
    if not re.match(r"^\s*\d+[A-Za-z]?\s+\S", address.line1):
        return AddressValidation(status="undeliverable", issues=["missing_street_number"])
    known = GAZETTEER.get(address.city.strip().title()) or GAZETTEER.get(address.city.strip())
    if known is None:
        return AddressValidation(status="undeliverable", issues=["unknown_city"])
    region, postal_codes = known
    issues: list[str] = []
    fixed = address.model_copy()
    words = address.line1.split()
    if words and words[-1] in SUFFIX_FIXES:
        fixed.line1 = " ".join([*words[:-1], SUFFIX_FIXES[words[-1]]])
        issues.append("street_suffix_misspelled")
    if address.region.strip().upper() != region or address.region != address.region.strip().upper():
        if address.region.strip().upper() != region:
            issues.append("region_mismatch")
        else:
            issues.append("region_format")
        fixed.region = region
    if address.postal_code.strip() not in postal_codes:
        issues.append("postal_code_mismatch")
        fixed.postal_code = postal_codes[0]
    if not issues:
        return AddressValidation(status="valid")
    return AddressValidation(status="corrected", issues=issues, suggestion=Address(**fixed.model_dump()))
