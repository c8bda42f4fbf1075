"""Channel limits: SMS in one GSM-7 segment, e-mail subjects as SNS accepts them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# GSM 03.38 basic character set (one septet each) and its extension table (two septets each).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")
SMS_SEPTETS = 160  # one SMS segment; beyond it carriers split and bill per segment
SUBJECT_LIMIT = 99  # SNS: the e-mail Subject must be under 100 characters


def _plain(text: str) -> str:
    """Spaces of every kind become a plain space (Babel writes "R$\xa01.234,56")."""
    return "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text)


# A currency sign a channel cannot carry becomes its ISO 4217 code, never "?" ("€ 46,20" -> "EUR 46,20"). Signs
# shared by several currencies ($) are carried by every channel Ponte uses.
_CURRENCY_CODES = {
    "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB", "₩": "KRW", "₺": "TRY", "₱": "PHP", "₦": "NGN",
    "₫": "VND", "₪": "ILS", "₴": "UAH", "₡": "CRC", "₲": "PYG", "₵": "GHS", "₸": "KZT", "₼": "AZN", "₾": "GEL",
}  # fmt: skip


def _currency_codes(text: str, kept: set[str]) -> str:
    """Each currency sign not in `kept` spelled as its code, spaced from the amount it stands by."""
    out: list[str] = []
    for i, ch in enumerate(text):
        code = _CURRENCY_CODES.get(ch) if ch not in kept else None
        if code is None:
            out.append(ch)
            continue
        before = " " if out and not out[-1].isspace() else ""
        after = " " if i + 1 < len(text) and not text[i + 1].isspace() else ""
        out.append(f"{before}{code}{after}")
    return "".join(out)


def _strip_marks(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


# What people type for a character a channel lacks and that has no accent to drop: typographic quotes and dashes
# (a name pasted from a word processor: "D’Ávila – Centro"), and letters that are not a base letter with a mark.
# Spanish written without ¿ and ¡ simply leaves them out. A character with no spelling is left out too: a "?" where
# it was would read as a question, or as a broken message.
_SPELLED = {
    "‘": "'", "’": "'", "‚": ",", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"', "«": '"', "»": '"',
    "‹": "'", "›": "'", "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-", "•": "-", "·": "-",
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d",
    "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "¿": "", "¡": "",
}  # fmt: skip


def _spelled(ch: str, alphabet: Callable[[str], bool]) -> str:
    """`ch` in an alphabet that lacks it: without its accent, else as people type it, else nothing."""
    bare = _strip_marks(ch)
    if bare and all(alphabet(c) for c in bare):
        return bare
    return _SPELLED.get(ch, "")


def _in_gsm(ch: str) -> bool:
    return ch in _GSM_BASIC or ch in _GSM_EXTENDED


def _in_ascii(ch: str) -> bool:
    return ch.isascii() and ch.isprintable()


def to_gsm(text: str) -> str:
    """Transliterate to GSM-7 so that pt-BR and es texts ("ã", "õ", "í") do not force UCS-2 (70 chars)."""
    return "".join(
        ch if _in_gsm(ch) else _spelled(ch, _in_gsm) for ch in _currency_codes(_plain(text), _GSM_BASIC | _GSM_EXTENDED)
    )


def septets(text: str) -> int:
    return sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)


# Where one sentence ends and the next begins ("... do servico. Multa e juros"), not "art. 42-A" nor "1.000,00".
_SENTENCE_END = re.compile(r"(?<=[.!?]) (?=[A-Z])")


def fit_sms(text: str) -> str:
    """One SMS: GSM-7, at most 160 septets. A longer text loses its last sentences whole, so that nothing is left
    half said (what to pay and by when come first, the notes after); a first sentence longer than that is cut at a
    word, with an ellipsis."""
    gsm = " ".join(to_gsm(text).split())
    if septets(gsm) <= SMS_SEPTETS:
        return gsm
    kept = ""
    for sentence in _SENTENCE_END.split(gsm):
        candidate = f"{kept} {sentence}" if kept else sentence
        if septets(candidate) > SMS_SEPTETS:
            break
        kept = candidate
    if kept:
        return kept
    budget = SMS_SEPTETS - 3
    cut = ""
    for word in gsm.split(" "):
        candidate = f"{cut} {word}" if cut else word
        if septets(candidate) > budget:
            break
        cut = candidate
    return (cut or gsm[:budget]) + "..."


def fit_utf8_subject(text: str) -> str:
    """An e-mail subject as SES sends it (UTF-8, accents kept): one line, under 100 characters."""
    line = " ".join(text.split())
    return line if len(line) <= SUBJECT_LIMIT else line[: SUBJECT_LIMIT - 1] + "…"


def fit_subject(text: str) -> str:
    """SNS wants an ASCII subject with no line breaks, under 100 characters."""
    line = " ".join(_currency_codes(_plain(text), set()).split())
    ascii_text = " ".join("".join(ch if _in_ascii(ch) else _spelled(ch, _in_ascii) for ch in line).split())
    return ascii_text if len(ascii_text) <= SUBJECT_LIMIT else ascii_text[: SUBJECT_LIMIT - 3] + "..."


# A customer's SMS names its sender: in Brazil an SMS comes from a number, not a name (alphanumeric sender ids are
# not available there), and a message asking for money from nobody in particular reads as a scam.
_SENDER_NAME = 30  # septets of the business's name at most, so that what to pay and by when still fit


def signed_sms(sender: str, text: str) -> str:
    """`text` as one SMS that opens with the business's name ("Sol Nascente: Ultimo aviso: ..."); a sentence that no
    longer fits is left out whole (`fit_sms`)."""
    words = to_gsm(sender).split()
    while words and septets(" ".join(words)) > _SENDER_NAME:
        words.pop()  # a long name loses its last words ("Sol Nascente Distribuidora de Alimentos e Bebidas")
    while len(words) > 1 and words[-1].casefold() in _CONNECTORS:
        words.pop()  # ... and never ends on "de" or "e"
    name = " ".join(words)
    return fit_sms(f"{name}: {text}" if name else text)


_CONNECTORS = frozenset({"de", "da", "do", "das", "dos", "del", "e", "y", "&", "and", "of", "-"})
