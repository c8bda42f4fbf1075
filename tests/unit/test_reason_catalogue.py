"""Every provider reason code reads as a sentence in each locale; an unknown code is named, never left bare."""

from __future__ import annotations

import pytest

from ponte.domain.accounts import LOCALES
from ponte.messages.reasons import codes, reason_text, status_text, statuses


@pytest.mark.parametrize("code", codes())
def test_every_code_has_a_sentence_in_every_locale(code: str) -> None:
    texts = [reason_text(code, locale) for locale in LOCALES]
    assert all(texts) and all("_" not in text and code not in text for text in texts)
    portuguese, spanish, _ = texts
    assert code not in (portuguese, spanish)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("pt-BR", "outro motivo (código do provedor: PIX_TIMEOUT)"),
        ("es", "otro motivo (código del proveedor: PIX_TIMEOUT)"),
        ("en", "other reason (provider's code: PIX_TIMEOUT)"),
    ],
)
def test_an_unknown_code_is_named_as_the_providers_in_the_readers_language(locale: str, expected: str) -> None:
    assert reason_text("PIX_TIMEOUT", locale) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("status", statuses())
def test_every_subscription_status_has_words_in_every_locale(status: str) -> None:
    texts = [status_text(status, locale) for locale in LOCALES]
    assert all(texts) and all("_" not in text for text in texts)
    assert status_text(status.upper(), "pt-BR") == texts[0]  # Asaas writes them in capitals


def test_an_unknown_status_is_named_as_the_providers_in_the_readers_language() -> None:
    assert status_text("on_hold", "es") == "otro estado (código del proveedor: on_hold)"
