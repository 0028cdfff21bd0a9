"""The simulated books of business, registered under the ``ai_missions.books`` entry points (the simulator's own as a
package's): which generator seeds which systems, and each book's flagship story.

``missions systems seed`` and ``missions demo`` seed every registered book into one sandbox; each book writes only its
own systems. The generated books are seeded first, then those derived from them (:attr:`Book.derive`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from ai_missions.integrations.loader import write_book
from ai_missions.integrations.plugin import Book, BookRows
from ai_missions.integrations.store import BookMissingError

__all__ = ["BOOKS_GROUP", "Book", "BookRows", "books", "seed_books", "stories"]

#: Entry-point group of the books: name -> ``module:BOOK``.
BOOKS_GROUP = "ai_missions.books"


@cache
def books() -> dict[str, Book]:
    """Every registered book by name, in seeding order: the generated ones, then the derived ones."""
    found: dict[str, Book] = {}
    for point in sorted(entry_points(group=BOOKS_GROUP), key=lambda p: p.name):
        book = point.load()
        if not isinstance(book, Book) or book.name != point.name:
            raise TypeError(f"entry point {point.name} = {point.value} is not the Book {point.name!r}")
        if book.name in found:
            raise ValueError(f"entry point {point.value} registers the book {book.name!r} a second time")
        found[book.name] = book
    return dict(sorted(found.items(), key=lambda item: item[1].derive is not None))


def seed_books(home: Path, *, seed: int, sizes: Mapping[str, int] | None = None) -> list[str]:
    """Seed every book (``sizes`` overrides defaults by book name) into the sandbox; one line per book."""
    lines = []
    for book in books().values():
        size = (sizes or {}).get(book.name, book.default_size)
        write_book(book.rows(home, size, seed), home)
        lines.append(f"Seeded the {book.name} book: {size:,} {book.unit} (seed {seed}) under {home}")
    return lines


def stories(home: Path) -> dict[str, str]:
    """Mission -> its flagship story's subject in the seeded books."""
    found = {}
    for book in books().values():
        if book.mission and book.story:
            try:
                story = book.story(home)
            except BookMissingError:  # a book not seeded under this home tells no story there
                continue
            if story:
                found[book.mission] = story
    return found
