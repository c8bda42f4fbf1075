"""Page cursors are the store's own tokens: one someone made by hand is invalid input, refused before any read,
including one whose key DynamoDB could not take in a request (it would answer a ValidationException: a 500)."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest

from ponte.adapters import keys
from ponte.adapters.collections_book import BOOK_PARTITION, CollectionsBook
from ponte.adapters.dynamodb import decode_cursor, encode_cursor
from ponte.domain.errors import InvalidInput


def token(text: str) -> str:
    """A cursor as the store encodes one, of any JSON text (escapes written as given)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_cursor_the_store_made_reads_back_as_its_key() -> None:
    key = {"sk": "TIMELINE#2026-11-12T13:00:00.000000Z#00000003#001"}
    assert decode_cursor(encode_cursor(key), {"sk"}) == key


@pytest.mark.parametrize(
    "text",
    [
        '{"sk": "TIMELINE#' + "9" * 1100 + '"}',  # over DynamoDB's 1,024 bytes for a sort key
        '{"sk": "TIMELINE#\\ud800"}',  # a lone surrogate: no UTF-8 for it
        '{"sk": 42}',
        '{"sk": ' + "[" * 5000 + "]" * 5000 + "}",  # past the JSON parser's depth
    ],
)
def test_a_cursor_whose_key_dynamodb_could_not_take_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(token(text), {"sk"})


class NoReads:
    """A client that must not be called: the cursor is refused before any read."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the book read ({name}) with a cursor it did not give")


def book_start(**changed: str) -> str:
    """The start of a page of ana's entries, as the book's cursor carries it, with `changed` keys."""
    start = {
        "pk": BOOK_PARTITION,
        "sk": "ENTRY#padaria",
        "search_pk": keys.book_partition("ana"),
        "search_sk": "2026-11-05#padaria",
    }
    return "{" + ", ".join(f'"{name}": "{value}"' for name, value in {**start, **changed}.items()) + "}"


def page(cursor: str) -> None:
    CollectionsBook("table", client=NoReads()).page(  # type: ignore[arg-type]
        owners=["ana"],
        statuses=frozenset({"overdue"}),
        since_from=date(2026, 1, 1),
        since_to=date(2026, 12, 31),
        limit=10,
        cursor=cursor,
    )


def without(start: str, name: str) -> str:
    """`start` (a book start's JSON) without its `name` attribute."""
    return json.dumps({key: value for key, value in json.loads(start).items() if key != name})


@pytest.mark.parametrize(
    "start",
    [
        book_start(search_sk="2026-11-05#" + "x" * 1100),
        book_start(search_sk="2026-11-05#\\udc00"),
        # DynamoDB refuses a start key that is not the query's key, an empty key, or one outside its key condition
        without(book_start(), "sk"),
        without(book_start(), "search_sk"),
        without(without(book_start(), "sk"), "search_sk"),
        book_start(search_sk=""),
        book_start(sk=""),
        book_start(search_sk="9999#x"),  # past the range of days asked (to 2026-12-31)
        book_start(search_sk="2025-12-31#padaria"),  # before it
    ],
)
def test_a_book_cursor_whose_start_dynamodb_could_not_take_is_invalid_input(start: str) -> None:
    with pytest.raises(InvalidInput):
        page(encode_cursor({"at": "0", "key": start}))


def test_the_book_s_own_cursor_is_not_refused() -> None:
    with pytest.raises(AssertionError, match="did not give"):  # it gets as far as reading
        page(encode_cursor({"at": "0", "key": book_start()}))


@pytest.mark.parametrize(
    "start",
    [
        '{"pk": "COLLECTIONS#BOOK"}',  # no sort key
        '{"pk": "COLLECTIONS#BOOK", "sk": ""}',
        '{"pk": "COLLECTIONS#BOOK", "sk": "ENTRY#padaria", "search_pk": "BOOK#ana"}',  # an owner's, not everyone's
        '{"pk": "COLLECTIONS#BOOK", "sk": "ENTRY#padaria", "search_sk": "2026-11-05#padaria"}',
    ],
)
def test_a_cursor_of_everyones_book_is_the_tables_key_in_the_books_partition(start: str) -> None:
    with pytest.raises(InvalidInput):
        CollectionsBook("table", client=NoReads()).page(  # type: ignore[arg-type]
            owners=None,
            statuses=frozenset(),
            since_from=None,
            since_to=None,
            limit=10,
            cursor=encode_cursor({"at": "0", "key": start}),
        )
