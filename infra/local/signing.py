"""Sign a delivery the way each provider does (HMAC over its documented manifest), to try Ponte locally."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime


def stripe_headers(body: bytes, secret: str, at: datetime) -> dict[str, str]:
    timestamp = int(at.timestamp())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "Stripe-Signature": f"t={timestamp},v1={signature}"}


def standard_headers(body: bytes, secret: str, at: datetime, message_id: str) -> dict[str, str]:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    timestamp = str(int(at.timestamp()))
    signed = f"{message_id}.{timestamp}.".encode() + body
    signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": f"v1,{signature}",
    }


def asaas_headers(token: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "asaas-access-token": token}


def mercadopago_headers(data_id: str, request_id: str, secret: str, at: datetime) -> dict[str, str]:
    ts = str(int(at.timestamp() * 1000))
    manifest = f"id:{data_id.lower()};request-id:{request_id};ts:{ts};"
    signature = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "x-signature": f"ts={ts},v1={signature}", "x-request-id": request_id}
