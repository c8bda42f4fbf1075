"""Every word of the staff console is in pt-BR, es and en (`console/messages.json`), and every code the staff API
hands it (statuses, ladder steps, holds, invoice states, actions, payment methods, alert kinds, history entries,
delivery outcomes) has its words: the console never shows a code to a person."""

from __future__ import annotations

import ast
import json
import re
import typing
from pathlib import Path

import pytest

from ponte.domain.accounts import AccountStatus, HoldKind
from ponte.domain.policy import StepKind
from ponte.services.delivery_events import _TIMELINE
from ponte.services.staff_actions import INPUTS, OfflinePaymentInput
from ponte.services.staff_views import InvoiceStatus

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = json.loads((ROOT / "console" / "messages.json").read_text(encoding="utf-8"))
APP = (ROOT / "console" / "app.js").read_text(encoding="utf-8")
LAYER = ROOT / "layers" / "ponte" / "ponte"


def literal_kinds() -> set[str]:
    """The `kind` of every notification body (`kind: Literal["payment.failed"]`): what an alert's `event_type` is."""
    kinds: set[str] = set()
    for source in (LAYER / "domain" / "bodies").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "kind":
                values = (n.value for n in ast.walk(node.annotation) if isinstance(n, ast.Constant))
                kinds.update(value for value in values if isinstance(value, str))
    return kinds


def timeline_codes() -> set[str]:
    """Every fixed `what` the code writes in an account's history (string literals like "account.opened" passed as
    the entry's `what`), the delivery events', and the staff actions' (`staff.<action>`, shown as the action)."""
    pattern = re.compile(r"""(?:what=|\.entry\(|\.note\(\s*\w+,\s*)\s*"([a-z_]+\.[a-z_.]+)\"""")
    codes = {code for source in LAYER.rglob("*.py") for code in pattern.findall(source.read_text(encoding="utf-8"))}
    return codes | {what for what, _ in _TIMELINE.values()}


def test_the_three_locales_have_the_same_words() -> None:
    assert set(MESSAGES) == {"pt-BR", "es", "en"}
    keys = set(MESSAGES["pt-BR"])
    for locale, words in MESSAGES.items():
        assert set(words) == keys, locale
        assert all(text.strip() for text in words.values()), locale


def test_every_word_the_console_asks_for_exists() -> None:
    asked = set(re.findall(r"""\bt\(\s*"([a-z_]+\.[a-z_.]+)\"""", APP))
    assert asked, "the console asks for no words?"
    assert asked - set(MESSAGES["en"]) == set()


CODES = [
    ("status", [s.value for s in AccountStatus]),
    ("step", [k.value for k in StepKind]),
    ("hold", [*(k.value for k in HoldKind), "never_suspend"]),  # never_suspend: a flag set by hand, shown as a hold
    ("invoice", list(typing.get_args(InvoiceStatus))),
    ("action", list(INPUTS)),
    ("method", list(typing.get_args(OfflinePaymentInput.model_fields["method"].annotation))),
    ("event", sorted(literal_kinds())),
    ("what", sorted(timeline_codes() | {"collections.reminder", "collections.overdue_notice"})),
    ("outcome", ["accepted", "refused", "held", "delivered", "bounced", "complained", "rejected", "unknown"]),
    ("channel", ["email", "sms", "feed", "held"]),
]


@pytest.mark.parametrize(("prefix", "codes"), CODES, ids=[prefix for prefix, _ in CODES])
def test_every_code_the_api_hands_the_console_has_its_words(prefix: str, codes: list[str]) -> None:
    assert codes
    words = MESSAGES["pt-BR"]
    missing = [code for code in codes if f"{prefix}.{code}" not in words]
    # staff.<action> history entries are shown with the action's words
    missing = [code for code in missing if not (prefix == "what" and code.startswith("staff."))]
    assert missing == []


def test_a_code_without_words_falls_back_to_a_word_not_the_code() -> None:
    # The console's `t` falls back to `<prefix>.other`: a code added later reads as "other ...", never as itself.
    prefixes = {prefix for prefix, _ in CODES} | {"field"}
    assert {prefix for prefix in prefixes if f"{prefix}.other" not in MESSAGES["en"]} == set()


def test_every_field_an_action_refuses_is_named_or_explained() -> None:
    # A 400 names a field; the console names it back ("Check the field 'Until'"), or, for one no form shows (the
    # account's status, the contact as a whole), says what is wrong: never "Check the field 'Form'".
    pattern = re.compile(r'InvalidField\(\s*"([a-z_][a-z_.]*)"')  # a literal field, not a computed one
    sources = [LAYER / "services" / "staff_actions.py", LAYER / "services" / "staff.py"]
    fields = {field for source in sources for field in pattern.findall(source.read_text(encoding="utf-8"))}
    assert fields
    words = MESSAGES["pt-BR"]
    assert sorted(f for f in fields if f"field.{f}" not in words and f"refused.{f}" not in words) == []
