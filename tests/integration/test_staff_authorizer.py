"""The local stack's JWT authorizer checks a Cognito token as API Gateway does: signature, issuer, audience, expiry
and the route's scopes; the function gets the claims as strings."""

from __future__ import annotations

import time

import pytest
from joserfc import jwk, jwt
from moto.utilities.utils import load_resource

from infra.local import LocalStack
from infra.local.authorizer import JwtAuthorizer, Refused

PASSWORD = "Ponte-local-2026"  # a user of the embedded AWS


def signed_in(stack: LocalStack, email: str, groups: list[str]) -> str:
    cognito = stack.client("cognito-idp")
    pool, client = stack.physical_id("StaffUserPool"), stack.physical_id("StaffConsoleClient")
    cognito.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    answer = cognito.initiate_auth(
        ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD}
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def authorizer(stack: LocalStack) -> JwtAuthorizer:
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{stack.physical_id('StaffUserPool')}"
    return JwtAuthorizer(issuer=issuer, audiences=(stack.physical_id("StaffConsoleClient"),))


def forged(claims: dict[str, object]) -> str:
    key = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, key)


def test_a_signed_in_staff_member_is_let_through_with_their_groups(stack: LocalStack) -> None:
    token = signed_in(stack, "ana@solnascente.example", ["sales", "admin"])
    context = authorizer(stack).authorize({"Authorization": f"Bearer {token}"})
    claims = context["jwt"]["claims"]
    assert claims["cognito:groups"] in {"[sales admin]", "[admin sales]"}  # API Gateway flattens lists
    assert claims["email"] == "ana@solnascente.example" and claims["token_use"] == "id"
    assert all(isinstance(value, str) for value in claims.values())


@pytest.mark.parametrize("header", [{}, {"Authorization": ""}, {"Authorization": "Bearer not-a-token"}])
def test_no_token_or_garbage_is_401(stack: LocalStack, header: dict[str, str]) -> None:
    with pytest.raises(Refused) as refused:
        authorizer(stack).authorize(header)
    assert refused.value.status == 401


def test_a_token_for_another_client_another_pool_expired_or_tampered_is_401(stack: LocalStack) -> None:
    good = signed_in(stack, "bia@solnascente.example", ["finance"])
    guard = authorizer(stack)
    base = dict(
        jwt.decode(good, jwk.KeySet.import_key_set(load_resource("cognitoidp/resources/jwks-public.json"))).claims
    )
    cases = {
        "other client": forged(base | {"aud": "another-client"}),
        "other pool": forged(base | {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}),
        "expired": forged(base | {"exp": int(time.time()) - 5}),
        "tampered": good[:-6] + ("A" if good[-6] != "A" else "B") + good[-5:],
    }
    for name, token in cases.items():
        with pytest.raises(Refused) as refused:
            guard.authorize({"authorization": token})
        assert refused.value.status == 401, name


def test_a_route_asking_for_a_scope_the_token_lacks_is_403(stack: LocalStack) -> None:
    token = signed_in(stack, "caio@solnascente.example", ["collections"])
    with pytest.raises(Refused) as refused:
        authorizer(stack).authorize({"Authorization": token}, scopes=("ponte/staff.write",))
    assert refused.value.status == 403


def test_the_staff_api_answers_only_a_signed_in_staff_member(stack: LocalStack) -> None:
    from ponte.adapters.dynamodb import DynamoStore
    from ponte.domain.accounts import Contact
    from ponte.services.accounts import OpenAccount, opening_change

    command = OpenAccount(account_id="padaria", name="Padaria Estrela", locale="pt-BR", contact=Contact(name="João"))
    DynamoStore(stack.physical_id("Table")).commit(
        opening_change(command, now=stack.now, staff_locale="pt-BR", source="test")
    )
    status, _, _ = stack.http("GET", "/staff/accounts/padaria")
    assert status == 401
    status, _, _ = stack.http("GET", "/staff/accounts/padaria", headers={"Authorization": "Bearer forged.token.x"})
    assert status == 401
    token = signed_in(stack, "carla@solnascente.example", ["admin"])
    status, _, body = stack.http("GET", "/staff/accounts/padaria", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, body
    assert b"Padaria Estrela" in body
