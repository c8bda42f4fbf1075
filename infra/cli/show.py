"""What the commands print: aligned tables and JSON on stdout, progress on stderr."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, TextIO

from pydantic import BaseModel

from ponte.domain.money import Money

NOTHING = "-"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, widest: int = 80) -> str:
    """Columns aligned on the widest cell (cut at `widest` characters, with an ellipsis)."""
    cells = [list(headers)] + [[_cut(cell, widest) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def _cut(text: str, widest: int) -> str:
    return text if len(text) <= widest else text[: widest - 1] + "…"


def money(amounts: Iterable[Money]) -> str:
    return ", ".join(str(amount) for amount in amounts) or NOTHING


def day(value: date | None) -> str:
    return value.isoformat() if value is not None else NOTHING


def as_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # the engine's records (a plan, charges)
        return dataclasses.asdict(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


class Progress:
    """`done of total` on stderr while a long command runs: rewritten in place on a terminal, otherwise a line every
    few seconds (a CI log keeps a handful of lines, not one per account)."""

    def __init__(
        self,
        what: str,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.clock = clock
        self.done = 0
        self.started = self._shown = clock()
        self.terminal = self.stream.isatty()
        self.every = 0.25 if self.terminal else 5.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self.clock()
        if self.enabled and now - self._shown >= self.every:
            self._show(now, final=False)

    def finish(self) -> float:
        now = self.clock()
        seconds = now - self.started
        if self.enabled and (self.terminal or seconds >= self.every):
            self._show(now, final=True)
        return seconds

    def _show(self, now: float, *, final: bool) -> None:
        self._shown = now
        share = f" ({100 * self.done // self.total}%)" if self.total else ""
        line = f"{self.what}: {self.done:,} of {self.total:,}{share}, {now - self.started:.1f} s"
        if self.terminal:
            self.stream.write("\r" + line + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
