"""One registry of payment providers (`ponte.providers`), each provider's module imported with the first delivery
for it rather than on the webhook function's cold start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ponte.providers import PROVIDERS, WEBHOOK_PROVIDERS, provider_module, verifier

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "layers" / "ponte" / "ponte" / "providers"

# Loads the webhook function's handler as Lambda does, then refuses one unsigned delivery for the provider named in
# argv; prints the provider modules loaded before and after, and the refusal's status.
PROBE = """
import importlib.util, json, sys
from datetime import UTC, datetime

def loaded():
    prefix = "ponte.providers."
    return sorted(name[len(prefix):] for name in sys.modules if name.startswith(prefix) and name != prefix + "base")

spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
handler = importlib.util.module_from_spec(spec)
sys.modules["handler"] = handler
spec.loader.exec_module(handler)
at_start = loaded()

from ponte.services.webhooks import WebhookPorts, WebhookRefused, WebhookRequest, receive

class Secrets:
    def values(self, name):
        return ["whsec_registry"]

    def refreshed(self, name):
        return None

def unreachable(*args):
    raise AssertionError("a delivery refused at its signature reaches no other port")

ports = WebhookPorts(Secrets(), unreachable, unreachable, unreachable, unreachable)
request = WebhookRequest(sys.argv[2], {"content-type": "application/json"}, b"{}", {}, datetime.now(UTC))
try:
    receive(request, ports)
    status = 200
except WebhookRefused as refused:
    status = refused.status
print(json.dumps({"at_start": at_start, "after": loaded(), "status": status}))
"""


def test_the_registry_names_every_provider_module_once() -> None:
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__", "base"}
    assert sorted(PROVIDERS) == sorted(modules)
    assert len(set(PROVIDERS)) == len(PROVIDERS)
    for name in PROVIDERS:
        assert name == provider_module(name).PROVIDER
        assert callable(verifier(name).verify)


def test_the_providers_whose_body_says_what_happened_normalise_it() -> None:
    assert set(WEBHOOK_PROVIDERS) == {"stripe", "asaas", "standard"}
    assert len(WEBHOOK_PROVIDERS) == 3
    assert all(callable(WEBHOOK_PROVIDERS[name].normalise) for name in WEBHOOK_PROVIDERS)
    with pytest.raises(KeyError):
        WEBHOOK_PROVIDERS["mercadopago"]  # its body names a payment only: read from its API
    with pytest.raises(KeyError):
        provider_module("paypal")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_provider_module_is_imported_with_the_first_delivery_for_it(provider: str) -> None:
    handler = ROOT / "functions" / "payment_webhook" / "handler.py"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers" / "ponte"), str(ROOT)])}
    answer = subprocess.run(
        [sys.executable, "-c", PROBE, str(handler), provider],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=ROOT,
    )
    seen = json.loads(answer.stdout.strip().splitlines()[-1])
    assert seen == {"at_start": [], "after": [provider], "status": 401}
