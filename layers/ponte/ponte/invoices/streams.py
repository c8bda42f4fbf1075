"""Byte-stream plumbing: look at the start of a stream without losing it, and read a text file's lines in the
encodings spreadsheets and ERPs really write."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from ponte.invoices.results import FileRejected, Problem, problem

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_TEXT_HEAD_SIZE = 64 * 1024
_CHUNK_SIZE = 64 * 1024
# No receivable row comes near this; a longer line is not CSV, and holding it whole would take the memory the
# parser otherwise keeps flat.
MAX_LINE_BYTES = 1024 * 1024
_NAMES = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "utf-16": "UTF-16"}


def read_head(stream: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes; loops because a raw or network stream may return fewer than asked."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


class _Replay(io.RawIOBase):
    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        target = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(target), len(self._head))
            target[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(target))
        target[: len(data)] = data
        return len(data)


def replay(head: bytes, rest: BinaryIO) -> BinaryIO:
    """A stream that yields `head` and then whatever is left in `rest`."""
    return io.BufferedReader(_Replay(head, rest))


class TextLines(Iterator[str]):
    """The lines of an uploaded text file, each with its line ending (as `csv` wants them, `newline=""`).

    - UTF-16 with a byte order mark is Excel's "Unicode text" export: the whole file is UTF-16. A line with a
      byte sequence that is not UTF-16 raises `UnicodeDecodeError` when it is reached.
    - Anything else is decoded line by line, because a file is not always in one encoding: a UTF-8 export with a
      row pasted from a Windows program, a Windows-1252 ("ANSI") export with a row typed in a UTF-8 one. A line
      that is valid UTF-8 is UTF-8 (text in Windows-1252 with accents practically never is); any other line is
      Windows-1252, the code page Excel and Windows ERPs write in Brazil and Spanish America (its five undefined
      bytes read as Latin-1). The file's own encoding is the one most of the lines with accents in its first
      64 KiB are in (UTF-8 with a BOM; when none has accents, the encoding of the first line that has); `foreign`
      names the lines in the other one, which were decoded right but which someone should look at. No line is
      ever refused for its encoding.
    """

    def __init__(self, stream: BinaryIO) -> None:
        head = read_head(stream, _TEXT_HEAD_SIZE)
        self.line = 0  # physical lines handed out so far
        self.encoding: str | None = None  # the file's; None until a line with accents tells it
        self._foreign: dict[int, str] = {}
        if head.startswith(UTF16_BOMS):
            decoder = codecs.getincrementaldecoder("utf-16")(errors="ignore")
            if not decoder.decode(head, final=False).strip():
                raise FileRejected("the file is empty", code="empty")
            self.encoding = "utf-16"
            # Decoded a buffer at a time: a lone surrogate is let through here and refused by `__next__` at its own
            # line, not at whichever line the buffer was filled for.
            wrapper = io.TextIOWrapper(replay(head, stream), encoding="utf-16", errors="surrogatepass", newline="")
            self._lines: Iterator[str] = iter(wrapper)
            return
        if not head.strip():
            raise FileRejected("the file is empty", code="empty")
        self.encoding = _file_encoding(head, whole=len(head) < _TEXT_HEAD_SIZE)
        self._lines = map(self._decode, _physical_lines(head, stream))

    def __next__(self) -> str:
        text = next(self._lines)
        if self.encoding == "utf-16":
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError as exc:
                    raise UnicodeDecodeError("utf-16", b"", 0, 1, "a lone surrogate") from exc
            self.line += 1
        return text

    def foreign(self, first: int, last: int) -> list[Problem]:
        """Report lines for the lines `first` to `last` that are not in the file's encoding; forgets every line up
        to `last`, so that what is kept never grows with the file."""
        if not self._foreign:
            return []
        own = self.encoding or "utf-8"
        found = [
            problem(
                "other_encoding",
                f"line {line} is not {_NAMES[own]} like the rest of the file: read as {_NAMES[encoding]}, check "
                "its accents",
                line=line,
                encoding=encoding,
                file_encoding=own,
            )
            for line, encoding in sorted(self._foreign.items())
            if first <= line <= last
        ]
        self._foreign = {line: encoding for line, encoding in self._foreign.items() if line > last}
        return found

    def _decode(self, raw: bytes) -> str:
        self.line += 1
        if self.line == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if raw.isascii():
            return raw.decode("ascii")
        text, encoding = _decoded_line(raw)
        if self.encoding is None:
            self.encoding = encoding
        elif encoding != self.encoding:
            self._foreign[self.line] = encoding
        return text


def _decoded_line(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in cp1252; Latin-1 reads any byte
        return raw.decode("latin-1"), "cp1252"


def _file_encoding(head: bytes, *, whole: bool) -> str | None:
    """The encoding most lines with accents in `head` are in; None when none has accents."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    lines = head.splitlines()
    if not whole:
        lines = lines[:-1]  # cut by the head's size, maybe inside a character
    votes = [_decoded_line(line)[1] for line in lines if not line.isascii()]
    if not votes:
        return None
    return "cp1252" if votes.count("cp1252") > votes.count("utf-8") else "utf-8"


def _physical_lines(head: bytes, stream: BinaryIO) -> Iterator[bytes]:
    """The lines of `head` and then of the rest of `stream`, split where `csv` splits them (`\\r\\n`, `\\r` or
    `\\n`; `bytes.splitlines` knows no other line break), each with its ending."""
    carry = b""
    chunk = head
    while chunk:
        lines = (carry + chunk).splitlines(keepends=True)
        # The last line may go on in the next chunk, and a final \r may be the first half of a \r\n.
        carry = lines.pop() if not lines[-1].endswith(b"\n") else b""
        if len(carry) > MAX_LINE_BYTES:
            raise FileRejected(
                f"a line is longer than {MAX_LINE_BYTES // 1024 // 1024} MiB: this is not a CSV file",
                code="line_too_long",
                limit=MAX_LINE_BYTES,
            )
        yield from lines
        chunk = stream.read(_CHUNK_SIZE)
    if carry:
        yield carry
