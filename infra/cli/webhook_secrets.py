"""`ponte secrets set PROVIDER`: a provider's secret, read from standard input and written as Ponte reads it.

The value is never an argument (it would stay in the shell's history and show in the process list) and never
printed. Each secret is a JSON document `{"secrets": [...]}` (`ponte.adapters.secrets`): the first value is the
current one; with `--rotate`, the value in place stays second, so deliveries signed with either verify while the
provider switches over. Setting the new value again without `--rotate` then drops the old one.
"""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import dataclass
from typing import Any, TextIO

from infra.cli.aws import Failed

# Provider (as in the WebhookSecretArns output) -> the template's logical id of its secret.
SECRETS = {
    "stripe": "StripeWebhookSecret",
    "asaas": "AsaasWebhookSecret",
    "standard": "StandardWebhookSecret",
    "mercadopago": "MercadopagoWebhookSecret",
    "mercadopago-token": "MercadopagoAccessToken",
    "asaas-api-key": "AsaasApiKey",
}
# How each provider's values begin, to catch a value pasted from the wrong field (a warning, not a refusal).
_PREFIXES = {"stripe": "whsec_", "standard": "whsec_", "asaas-api-key": "$aact_"}


@dataclass(frozen=True)
class SecretSet:
    provider: str
    values: int
    kept_previous: bool
    warnings: tuple[str, ...]

    def document(self) -> dict[str, Any]:
        return {"provider": self.provider, "values": self.values, "kept_previous": self.kept_previous}

    def line(self) -> str:
        from ponte.adapters.secrets import CACHE_SECONDS  # noqa: PLC0415

        kept = " (the new one first, the previous one kept until you set it again without --rotate)"
        return (
            f"{self.provider}: set, {self.values} value{'s' if self.values > 1 else ''}"
            f"{kept if self.kept_previous else ''}; the functions read it within {CACHE_SECONDS // 60} minutes"
        )


def read_value(provider: str, stream: TextIO | None = None) -> str:
    """The value from standard input: typed without echo on a terminal, or piped (`pbpaste | ponte ...`)."""
    stream = stream or sys.stdin
    raw = getpass.getpass(f"{provider} secret (not shown): ") if stream.isatty() else stream.read()
    value = raw.strip()
    if not value:
        raise Failed("no value on standard input: pipe the secret in, or type it when asked")
    if "\n" in value or "\r" in value:
        raise Failed("the value on standard input spans several lines: give one secret, on one line")
    return value


def set_secret(secretsmanager: Any, *, provider: str, secret_id: str, value: str, rotate: bool) -> SecretSet:
    from ponte.adapters.secrets import parse_secret  # noqa: PLC0415
    from ponte.domain.errors import SecretNotConfigured  # noqa: PLC0415

    values = [value]
    warnings = []
    prefix = _PREFIXES.get(provider)
    if prefix and not value.startswith(prefix):
        warnings.append(f"{provider} values begin with {prefix}: check that the right field was copied")
    if rotate:
        current = secretsmanager.get_secret_value(SecretId=secret_id).get("SecretString", "")
        try:
            previous = parse_secret(current, provider)
        except SecretNotConfigured:
            previous = []
            warnings.append("there was no value to keep: the secret holds the new one alone")
        if previous and previous[0] != value:
            values.append(previous[0])
    secretsmanager.put_secret_value(SecretId=secret_id, SecretString=json.dumps({"secrets": values}))
    return SecretSet(provider=provider, values=len(values), kept_previous=len(values) > 1, warnings=tuple(warnings))
