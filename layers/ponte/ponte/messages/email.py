"""A customer's e-mail as Ponte sends it through SES: the notice's text, signed with the business's identity, as
plain text and as HTML (the same words; links made clickable; nothing loaded from outside, so no tracking and
nothing for a mail client to block).

The signature carries what Brazil's CDC art. 42-A requires on every collection document (the supplier's name,
address and CNPJ/CPF) and how to reach the business; every label is in the reader's language.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale
    from ponte.domain.business import BusinessIdentity

_URL = re.compile(r"https://[^\s<>\"]+")
_LABELS: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "regards": "Atenciosamente,",
        "support": "Atendimento",
        "whatsapp": "WhatsApp",
        "site": "Site",
        "reply": "Dúvidas? Responda a este e-mail ou fale com o nosso atendimento.",
    },
    "es": {
        "regards": "Atentamente,",
        "support": "Atención al cliente",
        "whatsapp": "WhatsApp",
        "site": "Sitio web",
        "reply": "¿Dudas? Responda a este correo o hable con nuestra atención al cliente.",
    },
    "en": {
        "regards": "Kind regards,",
        "support": "Customer service",
        "whatsapp": "WhatsApp",
        "site": "Website",
        "reply": "Questions? Reply to this e-mail or contact our customer service.",
    },
}


@dataclass(frozen=True, slots=True)
class CustomerEmail:
    subject: str
    text: str
    html: str


# A piece of a signature's line: its text, and what a tap on it opens (None: plain text; "": kept on one line).
_Piece = tuple[str, str | None]


def _signed(identity: BusinessIdentity, locale: Locale) -> list[tuple[_Piece, ...]]:
    """The signature's lines, piece by piece, so that the HTML links what the text part writes."""
    labels = _LABELS[locale]
    tax_id = f"{identity.tax_id_kind or ''} {identity.formatted_tax_id}".strip()
    phone = phone_shown(identity.support_phone)
    lines: list[tuple[_Piece, ...]] = [
        ((labels["regards"], None),),
        ((identity.trade_name, None),),
        # The tax id stays on one line with its kind on a phone's width ("CNPJ 11.222.333/0001-81").
        ((f"{identity.legal_name} · ", None), (tax_id, "")),
        ((identity.address.one_line, None),),
        (
            (f"{labels['support']}: ", None),
            (identity.support_email, f"mailto:{identity.support_email}"),
            (" · ", None),
            (phone, f"tel:{identity.support_phone}"),
        ),
    ]
    if identity.whatsapp:
        # wa.me opens a chat with the number in WhatsApp, the app or its site: the number's digits, without "+".
        chat = f"https://wa.me/{identity.whatsapp.removeprefix('+')}"
        lines.append(((f"{labels['whatsapp']}: ", None), (phone_shown(identity.whatsapp), chat)))
    if identity.website:
        lines.append(((f"{labels['site']}: ", None), (identity.website, identity.website)))
    return lines


def signature(identity: BusinessIdentity, locale: Locale) -> list[str]:
    """The lines that sign every customer e-mail: who the business is, where, its tax id, and how to reach it."""
    return ["".join(text for text, _ in line) for line in _signed(identity, locale)]


def phone_shown(e164: str) -> str:
    """A phone number as people read and dial it: a Brazilian one with its area code and the hyphen of the
    subscriber's number (`+55 11 3000-0000`, `+55 11 93000-0000`, Anatel's way of writing them, with the country
    code for a reader abroad); any other as given, in E.164."""
    digits = e164.removeprefix("+")
    if not (digits.startswith("55") and len(digits) in {12, 13} and digits.isdigit()):
        return e164
    area, number = digits[2:4], digits[4:]
    return f"+55 {area} {number[:-4]}-{number[-4:]}"


def customer_email(subject: str, body: str, identity: BusinessIdentity, locale: Locale) -> CustomerEmail:
    """The e-mail of a rendered notice: its text with the signature, and the same as HTML."""
    note = _LABELS[locale]["reply"]
    text = f"{body.rstrip()}\n\n{note}\n\n" + "\n".join(signature(identity, locale)) + "\n"
    paragraphs = [block for block in re.split(r"\n\s*\n", body.strip()) if block.strip()]
    parts = [f"<p>{_inline(block)}</p>" for block in paragraphs]
    parts.append(f'<p style="color:#555">{html.escape(note)}</p>')
    parts.append(f'<p style="color:#555;font-size:13px">{_signature_html(identity, locale)}</p>')
    document = (
        f'<!DOCTYPE html><html lang="{locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # A phone's mail app links every run of digits it takes for a phone number, a boleto line among them (a tap
        # then dials instead of selecting it); the business's numbers are linked here, as such.
        '<meta name="format-detection" content="telephone=no">'
        f"<title>{html.escape(subject)}</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222;'
        'max-width:600px;margin:0 auto;padding:16px;-webkit-text-size-adjust:100%;text-size-adjust:100%">'
        + "".join(parts)
        + "</body></html>"
    )
    return CustomerEmail(subject=subject, text=text, html=document)


def _signature_html(identity: BusinessIdentity, locale: Locale) -> str:
    """The signature as the text part writes it, the business's e-mail, phone, WhatsApp and site each a link."""
    return "<br>".join("".join(_piece(text, href) for text, href in line) for line in _signed(identity, locale))


def _piece(text: str, href: str | None) -> str:
    if href is None:
        return html.escape(text)
    if not href:
        return f'<span style="white-space:nowrap">{html.escape(text)}</span>'
    # A number or an address breaks at none of its hyphens or dots; a site may break anywhere, as a payment link.
    return _link(href, text, nowrap=not href.startswith("https://"))


def _link(href: str, shown: str, *, nowrap: bool = False) -> str:
    """A link a tap opens, in a span that lets it break anywhere (an address) or nowhere (a phone number)."""
    style = "white-space:nowrap" if nowrap else _BREAKS
    return f'<span style="{style}"><a href="{html.escape(href, quote=True)}">{html.escape(shown)}</a></span>'


# A payment link (a Stripe invoice's runs past 150 characters) or a boleto line (47 digits) is wider than a phone:
# without leave to break anywhere it would push the message past the screen's width, and the mail app would shrink
# all of it or make it scroll sideways.
_BREAKS = "word-wrap:break-word;overflow-wrap:anywhere"
# A boleto's digitable line (47 digits, 48 for a utility's; bare or grouped as printed: "23790.50400 40963.225504
# 90000.633306 7 98760000015000"), or its barcode's 44: the customer copies it into the bank's app.
_BOLETO_LINE = re.compile(r"(?<![\w./-])\d[\d. -]{40,60}\d(?![\w/])")
_BOLETO_DIGITS = range(44, 49)


def _inline(block: str) -> str:
    """Escaped text with line breaks kept, https links made clickable, and boleto lines selectable whole."""
    pieces: list[str] = []
    last = 0
    for found in _URL.finditer(block):
        pieces.append(_copyable(block[last : found.start()]))
        url = found.group()
        pieces.append(_link(url, url))
        last = found.end()
    pieces.append(_copyable(block[last:]))
    return "".join(pieces).replace("\n", "<br>")


def _copyable(text: str) -> str:
    """Escaped text, each boleto line in it selected whole by a tap (a long press selects a word; the bank's app
    wants the whole line, nothing around it)."""
    pieces: list[str] = []
    last = 0
    for found in _BOLETO_LINE.finditer(text):
        if sum(ch.isdigit() for ch in found.group()) not in _BOLETO_DIGITS:
            continue
        pieces.append(html.escape(text[last : found.start()]))
        style = f"{_BREAKS};-webkit-user-select:all;user-select:all;font-family:monospace"
        pieces.append(f'<span style="{style}">{html.escape(found.group())}</span>')
        last = found.end()
    pieces.append(html.escape(text[last:]))
    return "".join(pieces)
