"""The simulated books of business: which generator seeds which systems, and each book's flagship story.

``missions systems seed`` and ``missions demo`` seed every book here into one sandbox; each book writes only its
own systems. Adding a book (the systems of a new mission) is one entry below, or, for a system from another
package, the ``book`` of the ``SimulatedSystem`` it registers.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ai_missions.integrations.loader import write_book
from ai_missions.integrations.plugin import Book, BookRows
from ai_missions.integrations.systems import SIMULATED

__all__ = ["BOOKS", "Book", "BookRows", "seed_books", "stories"]


def _commerce(size: int, seed: int) -> BookRows:
    from ai_missions.integrations.seed import generate

    return generate(size, seed)


def _commerce_story(home: Path) -> str | None:
    from ai_missions.integrations.seed import story_order_id

    return story_order_id(home)


def _payables(size: int, seed: int) -> BookRows:
    from ai_missions.integrations.ap_seed import generate

    return generate(size, seed)


def _payables_story(home: Path) -> str | None:
    from ai_missions.integrations.ap_seed import story_invoice_id

    return story_invoice_id(home)


def _retail(size: int, seed: int) -> BookRows:
    from ai_missions.integrations.retail_seed import generate

    return generate(size, seed)


def _retail_story(home: Path) -> str | None:
    from ai_missions.integrations.retail_seed import story_order_id

    return story_order_id(home)


def _helpdesk(home: Path, size: int, seed: int) -> BookRows:
    from ai_missions.integrations.support_seed import generate_from

    return generate_from(home, size, seed)


def _helpdesk_story(home: Path) -> str | None:
    from ai_missions.integrations.support_seed import story_ticket_id

    return story_ticket_id(home)


def _no_rows(size: int, seed: int) -> BookRows:
    raise ValueError("the helpdesk book is derived from the commerce book in a sandbox")


def _accounts(size: int, seed: int) -> BookRows:
    from ai_missions.integrations.accounts_seed import generate

    return generate(size, seed)


def _accounts_story(home: Path) -> str | None:
    from ai_missions.integrations.accounts_seed import story_account_id

    return story_account_id(home)


BOOKS: dict[str, Book] = {
    book.name: book
    for book in (
        Book("commerce", "orders", 2000, _commerce, mission="order-exception", story=_commerce_story),
        Book("payables", "invoices", 1500, _payables, mission="invoice-approval", story=_payables_story),
        Book("retail", "orders", 240, _retail, mission="retail-exceptions", story=_retail_story),
        # after commerce: its tickets are about the commerce book's customers and orders
        Book("helpdesk", "tickets", 24, _no_rows, mission="support", story=_helpdesk_story, derive=_helpdesk),
        Book("accounts", "accounts", 2000, _accounts, mission="account-save", story=_accounts_story),
        # the books of systems registered by other packages (``ai_missions.simulated``), after the simulator's own
        *(system.book for system in SIMULATED.values() if system.book is not None),
    )
}


def seed_books(home: Path, *, seed: int, sizes: Mapping[str, int] | None = None) -> list[str]:
    """Seed every book (``sizes`` overrides defaults by book name) into the sandbox; one line per book."""
    lines = []
    for book in BOOKS.values():
        size = (sizes or {}).get(book.name, book.default_size)
        write_book(book.rows(home, size, seed), home)
        lines.append(f"Seeded the {book.name} book: {size:,} {book.unit} (seed {seed}) under {home}")
    return lines


def stories(home: Path) -> dict[str, str]:
    """Mission -> its flagship story's subject in the seeded books."""
    found = {}
    for book in BOOKS.values():
        if book.mission and book.story and (story := book.story(home)):
            found[book.mission] = story
    return found
