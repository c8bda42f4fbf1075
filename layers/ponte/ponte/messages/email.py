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


def signature(identity: BusinessIdentity, locale: Locale) -> list[str]:
    """The lines that sign every customer e-mail: who the business is, where, its tax id, and how to reach it."""
    labels = _LABELS[locale]
    tax_kind = identity.tax_id_kind or ""
    lines = [
        labels["regards"],
        identity.trade_name,
        f"{identity.legal_name} · {tax_kind} {identity.formatted_tax_id}".replace("  ", " "),
        identity.address.one_line,
        f"{labels['support']}: {identity.support_email} · {identity.support_phone}",
    ]
    if identity.whatsapp:
        lines.append(f"{labels['whatsapp']}: {identity.whatsapp}")
    if identity.website:
        lines.append(f"{labels['site']}: {identity.website}")
    return lines


def customer_email(subject: str, body: str, identity: BusinessIdentity, locale: Locale) -> CustomerEmail:
    """The e-mail of a rendered notice: its text with the signature, and the same as HTML."""
    signed = signature(identity, locale)
    note = _LABELS[locale]["reply"]
    text = f"{body.rstrip()}\n\n{note}\n\n" + "\n".join(signed) + "\n"
    paragraphs = [block for block in re.split(r"\n\s*\n", body.strip()) if block.strip()]
    parts = [f"<p>{_inline(block)}</p>" for block in paragraphs]
    parts.append(f'<p style="color:#555">{html.escape(note)}</p>')
    # The tax id stays on one line with its kind on a phone's width ("CNPJ 11.222.333/0001-81").
    tax_id = html.escape(f"{identity.tax_id_kind or ''} {identity.formatted_tax_id}".strip())
    signed_html = "<br>".join(_inline(line) for line in signed).replace(
        tax_id, f'<span style="white-space:nowrap">{tax_id}</span>', 1
    )
    parts.append(f'<p style="color:#555;font-size:13px">{signed_html}</p>')
    document = (
        f'<!DOCTYPE html><html lang="{locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(subject)}</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222;'
        'max-width:600px;margin:0 auto;padding:16px">' + "".join(parts) + "</body></html>"
    )
    return CustomerEmail(subject=subject, text=text, html=document)


def _inline(block: str) -> str:
    """Escaped text with line breaks kept and https links made clickable."""
    pieces: list[str] = []
    last = 0
    for found in _URL.finditer(block):
        pieces.append(html.escape(block[last : found.start()]))
        url = found.group()
        pieces.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>')
        last = found.end()
    pieces.append(html.escape(block[last:]))
    return "".join(pieces).replace("\n", "<br>")
