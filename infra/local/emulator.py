"""The embedded DynamoDB at the cost of what a request touches, not of the table: transactions and queries.

moto backs a transaction up by deep-copying the whole table, stream records included, once for every item of the
transaction, to roll back to if one fails. Ponte writes every change as one transaction of 2 to 30 items, so the
local stack's time grew with the table and the stream (the collections bench was 94 % emulator time). DynamoDB
itself reads only what a transaction names.

`install()` keeps moto's own transaction code and replaces only its backup: before a transaction runs, each item it
names is copied (at most 100 items) and the length of each table's stream is noted; if the transaction is cancelled
or refused, those items are put back as they were and the stream records it added are dropped. The outcome is the
same as moto's (`tests/integration/test_emulator_transactions.py` checks it against moto's own backup).

moto also answers a Query of the table (not of an index) by sorting every item of the table and keeping those of
the partition asked for; `install()` has it list that partition's items only, which it then sorts and filters as
before (`tests/integration/test_emulator_queries.py` compares the answers). Sort keys that are strings, distinct in
a partition, are sorted as plain strings, which order them as moto's attribute values do.

moto answers a Query of an index by the same sort of the whole table, keeps the items the index has under the key
asked for, and sorts those again by the index's keys and then the table's. That second sort alone decides the order
where the keys it sorts by are strings: no two items share their table keys, and strings compare the same plain or
wrapped in moto's attribute values. There `install()` has moto list the table's items unsorted, and sorts the items
found by their keys as plain strings. Where an item found has a key of another kind (a number, which moto compares
as a decimal, a binary value, or a value DynamoDB refuses as a key and moto stores, such as a set, whose order
depends on the order sorted from), the items found are first put in the table's order, where moto's sort of the
whole table would have had them, and moto sorts them as before (the same test compares the answers of both ways).

In the same walk moto measures every item it passes twice, to see whether the page still holds it and then to add
it to the page, and an item's size is the sum over every value in it, nested ones too. While a Query runs,
`install()` has the item measured last keep its size for the second asking: the Query changes no item, and the
next one measures again. moto also measures an item as it builds it (each one written, and each one projected):
for each attribute added it measures again every attribute already set, to refuse an item over its limit, so an
item of n attributes is measured n²/2 times over. `install()` builds it the same way but keeps the size of the
attributes already set as a sum, and refuses the same items at the same attribute with the same error
(`tests/integration/test_emulator_sizes.py` compares where).

Last, moto writes every answer through its generic serializer, which looks each member of the answer's model up
under several aliases: each attribute value of each item costs ten such look-ups (S, N, B, SS, ... BOOL), and a
Query's answer was most of the time the local stack spent in the emulator. An attribute value is already in its
wire form (`{"S": "..."}`), so `install()` has the JSON serializer copy it as it is, where the generic walk gives
the same: a string, number, set of those, boolean, null, or a map or list of such values. Binary values, which the
serializer encodes, and anything else take the generic walk (`tests/integration/test_emulator_answers.py` compares
the answers).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

_local = threading.local()
_installed = False
_lock = threading.Lock()


class _Copy:
    """What moto's DynamoDB module sees as `copy`: while a journaled transaction runs, the table it would back up
    is handed back as is (the journal is the backup); anything else is copied as before."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        from moto.dynamodb.models.table import Table  # noqa: PLC0415

        if isinstance(value, Table) and getattr(_local, "journaled", False):
            return value
        return copy.deepcopy(value, memo)

    copy = staticmethod(copy.copy)


def install() -> None:
    """Patch moto's DynamoDB as the module says: transactions journaled, queries and item sizes at the cost of what
    they touch, attribute values answered as they are (idempotent; for the whole process, in-process and server
    emulators)."""
    global _installed  # noqa: PLW0603 - one patch per process
    with _lock:
        if _installed:
            return
        from moto.core.serialize import JSONSerializer  # noqa: PLC0415
        from moto.dynamodb import models  # noqa: PLC0415
        from moto.dynamodb.models.dynamo_type import Item  # noqa: PLC0415
        from moto.dynamodb.models.table import Table  # noqa: PLC0415

        original = models.DynamoDBBackend.transact_write_items
        setattr(models, "copy", _Copy)  # the module moto backs tables up with  # noqa: B010
        models.DynamoDBBackend.transact_write_items = _journaled(original)  # type: ignore[method-assign]
        Table.query = _one_partition(Table.query)  # type: ignore[method-assign]
        Table.all_items = _partition_items(Table.all_items)  # type: ignore[method-assign,assignment]
        Table.sorted_items = _index_order(Table.sorted_items)  # type: ignore[method-assign]
        Item.size = _sized_once(Item.size)  # type: ignore[method-assign,assignment]
        Item.__init__ = _sized_as_built(Item.__init__)  # type: ignore[method-assign]
        JSONSerializer._serialize_type_structure = _attribute_values_as_they_are(  # type: ignore[method-assign]  # noqa: SLF001
            JSONSerializer._serialize_type_structure  # noqa: SLF001
        )
        _installed = True


# The members of DynamoDB's (and DynamoDB Streams') AttributeValue, one of which a value has.
_ATTRIBUTE_VALUE = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})


def _attribute_values_as_they_are(serialize: Callable[..., None]) -> Callable[..., None]:
    def serialize_structure(self: Any, serialized: dict[str, Any], value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and shape.members.keys() == _ATTRIBUTE_VALUE:
            wire = _wire_value(value)
            if wire is not None:
                serialized[key] = wire
                return
        serialize(self, serialized, value, shape, key)

    serialize_structure.__wrapped__ = serialize  # type: ignore[attr-defined]
    return serialize_structure


def _wire_value(value: Any) -> dict[str, Any] | None:
    """An attribute value rebuilt as the generic serializer would write it, or None where that walk may write
    something else (binary values, which it encodes in base64; anything not shaped like a value)."""
    if type(value) is not dict or len(value) != 1:
        return None
    ((kind, inner),) = value.items()
    wire: Any = None
    if kind in {"S", "N"}:
        wire = inner if type(inner) is str else None
    elif kind in {"BOOL", "NULL"}:
        wire = inner if type(inner) is bool else None
    elif kind in {"SS", "NS"}:
        wire = list(inner) if type(inner) is list and all(type(member) is str for member in inner) else None
    elif kind == "M" and type(inner) is dict:
        members = {name: _wire_value(member) for name, member in inner.items()}
        wire = None if None in members.values() else members
    elif kind == "L" and type(inner) is list:
        elements = [_wire_value(element) for element in inner]
        wire = None if None in elements else elements
    return None if wire is None else {kind: wire}


_INDEX_NAME = 6  # Table.query's argument after the hash key: range_comparison, range_objs, limit, ... index_name
_NOTHING_SIZED = (None, 0)


def _one_partition(query: Callable[..., Any]) -> Callable[..., Any]:
    def one_partition_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = (
            kwargs["index_name"] if "index_name" in kwargs else args[_INDEX_NAME] if len(args) > _INDEX_NAME else None
        )
        _local.partition = (self, hash_key) if index_name is None and self.range_key_attr else None
        _local.index = self if index_name else None
        _local.sized = _NOTHING_SIZED
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _local.partition = _local.index = _local.sized = None

    one_partition_query.__wrapped__ = query  # type: ignore[attr-defined]
    return one_partition_query


def _partition_items(all_items: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
    def partition_items(self: Any) -> list[Any]:
        if getattr(_local, "index", None) is self:
            return _unsorted(self)
        hint = getattr(_local, "partition", None)
        if hint is None or hint[0] is not self:
            return all_items(self)
        items = list(self.items.get(hint[1], {}).values())
        keys = _string_keys([[item.range_key] for item in items])
        return sorted(items, key=lambda item: item.range_key) if keys is None else _ordered(items, keys)

    partition_items.__wrapped__ = all_items  # type: ignore[attr-defined]
    return partition_items


def _unsorted(table: Any) -> list[Any]:
    """moto's `all_items` before its sort: every item of the table, partition after partition."""
    if not table.range_key_attr:
        return list(table.items.values())
    return [item for partition in table.items.values() for item in partition.values()]


def _index_order(sorted_items: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    def index_sorted_items(
        self: Any, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Any]
    ) -> list[Any]:
        index: Any = getattr(_local, "index", None)
        if index is not self:
            return sorted_items(self, hash_key_attrs, range_key_attrs, items)
        names = self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
        keys = _string_keys([[item.attrs.get(name) for name in names] for item in items])
        if keys is None:
            items.sort(key=_table_order)
            return sorted_items(self, hash_key_attrs, range_key_attrs, items)
        items[:] = _ordered(items, keys)
        return items

    index_sorted_items.__wrapped__ = sorted_items  # type: ignore[attr-defined]
    return index_sorted_items


def _table_order(item: Any) -> Any:
    """The key moto's `all_items` sorts the table by."""
    return (item.hash_key, item.range_key) if item.range_key else item.hash_key


def _string_keys(sort_keys: list[list[Any]]) -> list[tuple[str, ...]] | None:
    """Each item's sort key (its attribute values, in moto's order) as plain strings, where those order the items as
    moto's attribute values would whatever order they come in: every value a string, and no two items with the same
    key. Otherwise None."""
    keys: list[tuple[str, ...]] = []
    for values in sort_keys:
        if any(value is None or value.type != "S" or type(value.value) is not str for value in values):
            return None
        keys.append(tuple(value.value for value in values))
    return keys if len(set(keys)) == len(keys) else None


def _ordered(items: list[Any], keys: list[tuple[str, ...]]) -> list[Any]:
    return [items[position] for position in sorted(range(len(items)), key=keys.__getitem__)]


def _sized_once(size: Callable[[Any], int]) -> Callable[[Any], int]:
    def item_size(self: Any) -> int:
        last: tuple[Any, int] | None = getattr(_local, "sized", None)
        if last is None:
            return size(self)
        if last[0] is self:
            return last[1]
        measured = size(self)
        _local.sized = (self, measured)
        return measured

    item_size.__wrapped__ = size  # type: ignore[attr-defined]
    return item_size


_ITEM_SIZE_LIMIT = 405_000  # moto's LimitedSizeDict: between DynamoDB's 400 KB and what it really accepts


def _sized_as_built(init: Callable[..., None]) -> Callable[..., None]:
    from moto.dynamodb.exceptions import ItemSizeTooLarge  # noqa: PLC0415
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict  # noqa: PLC0415
    from moto.dynamodb.models.utilities import bytesize  # noqa: PLC0415

    def item_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        """moto's `Item.__init__`, with the size of the attributes already set kept as a sum instead of measured
        again for each one added."""
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = LimitedSizeDict()
        held = 0
        for key, value in attrs.items():
            typed = DynamoType(value)
            key_size = bytesize(key)
            size = typed.size()
            if held + key_size + size > _ITEM_SIZE_LIMIT:
                raise ItemSizeTooLarge
            dict.__setitem__(self.attrs, key, typed)
            held += bytesize(str(key)) + size

    item_init.__wrapped__ = init  # type: ignore[attr-defined]
    return item_init


def _journaled(original: Callable[..., None]) -> Callable[..., None]:
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        journal = _Journal(self, transact_items)
        _local.journaled = True
        try:
            original(self, transact_items)
        except BaseException:
            journal.roll_back()
            raise
        finally:
            _local.journaled = False

    transact_write_items.__wrapped__ = original  # type: ignore[attr-defined]
    return transact_write_items


class _Journal:
    """The items a transaction names, as they were before it, and where each table's stream ended."""

    def __init__(self, backend: Any, transact_items: list[dict[str, Any]]) -> None:
        self.backend = backend
        self.before: list[tuple[Any, Any, Any, Any]] = []  # (table, hash, range, item or None)
        self.streams: dict[str, tuple[Any, list[Any], int]] = {}
        for entry in transact_items:
            for operation in entry.values():
                table = backend.tables.get(operation.get("TableName")) if isinstance(operation, dict) else None
                if table is None:
                    continue
                key = operation.get("Key") or _key_of(table, operation.get("Item") or {})
                self._remember(table, key)

    def _remember(self, table: Any, key: dict[str, Any]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: PLC0415

        if table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
            return  # moto refuses such a transaction before it writes anything
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        current = table.get_item(hash_value, range_value)
        self.before.append((table, hash_value, range_value, copy.deepcopy(current)))
        shard = table.stream_shard
        if shard is not None and table.name not in self.streams:
            self.streams[table.name] = (shard, shard.items, len(shard.items))

    def roll_back(self) -> None:
        for table, hash_value, range_value, item in reversed(self.before):
            if table.range_key_attr is not None:
                partition = table.items[hash_value]
                if item is None:
                    partition.pop(range_value, None)
                else:
                    partition[range_value] = item
                if not partition:
                    table.items.pop(hash_value, None)
            elif item is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = item
        for shard, records, length in self.streams.values():
            if shard.items is records:
                del records[length:]


def _key_of(table: Any, item: dict[str, Any]) -> dict[str, Any]:
    names = [table.hash_key_attr, *([table.range_key_attr] if table.range_key_attr else [])]
    return {name: item[name] for name in names if name in item}
