"""The HTTP API's JWT authorizer, as API Gateway applies it, for the local stack's Cognito (moto's user pools).

For a route with a JWT authorizer, API Gateway (HTTP APIs, "Controlling access with JWT authorizers"):
- takes the token from the identity source (`$request.header.Authorization`, with or without `Bearer `);
- checks its signature against the issuer's public keys, `iss` against the configured issuer, `aud` (or, when the
  token has none, `client_id`) against the configured audiences, and `exp`/`nbf`/`iat`;
- answers 401 when any of that fails, and 403 when the route asks for authorization scopes the token's `scope`
  claim holds none of;
- hands the claims to the function under `requestContext.authorizer.jwt.claims`, every value a string (a list
  becomes `[a b]`), with the token's scopes under `scopes`.

The keys are the emulator's own: moto signs every Cognito token with the one RSA key it ships
(`moto/cognitoidp/resources/jwks-public.json`). Expiry is checked against the real clock, as moto issues tokens in
real time whatever the stack's clock says.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


class Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class JwtAuthorizer:
    issuer: str
    audiences: tuple[str, ...]
    identity_source: str = "$request.header.Authorization"

    def authorize(self, headers: dict[str, str], scopes: tuple[str, ...] = ()) -> dict[str, Any]:
        """The `requestContext.authorizer` the function receives; raises Refused(401 | 403)."""
        token = self._token(headers)
        claims = _verified(token)
        now = time.time()
        if claims.get("iss") != self.issuer:
            raise Refused(401)
        audience = claims.get("aud", claims.get("client_id"))
        if audience not in self.audiences:
            raise Refused(401)
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
            raise Refused(401)
        if isinstance(claims.get("nbf"), int) and claims["nbf"] > now:
            raise Refused(401)
        granted = tuple(str(claims.get("scope", "")).split())
        if scopes and not set(scopes) & set(granted):
            raise Refused(403)
        strings = {name: _as_string(value) for name, value in claims.items()}
        return {"jwt": {"claims": strings, "scopes": granted or None}}

    def _token(self, headers: dict[str, str]) -> str:
        name = self.identity_source.removeprefix("$request.header.").lower()
        value = {key.lower(): text for key, text in headers.items()}.get(name, "").strip()
        token = value[7:].strip() if value.lower().startswith("bearer ") else value
        if not token:
            raise Refused(401)
        return token


def _verified(token: str) -> dict[str, Any]:
    from joserfc import jwt  # noqa: PLC0415 - the emulator's own JOSE library
    from joserfc.errors import JoseError  # noqa: PLC0415

    try:
        decoded = jwt.decode(token, _public_keys())
    except (JoseError, ValueError):
        raise Refused(401) from None
    return dict(decoded.claims)


def _public_keys() -> Any:
    from joserfc import jwk  # noqa: PLC0415
    from moto.utilities.utils import load_resource  # noqa: PLC0415

    return jwk.KeySet.import_key_set(load_resource("cognitoidp/resources/jwks-public.json"))


def _as_string(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)
