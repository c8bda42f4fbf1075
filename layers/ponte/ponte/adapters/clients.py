"""How an adapter gets its boto3 client: the one it was given, or one of boto3's default session made on first use.

Nothing is created at import, and every adapter of a container shares the one default session (its credentials
and the service models it has loaded), so a second client costs only the service's own model.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, overload


class LazyClient[C]:
    """An adapter's `client` attribute, backed by the adapter's `_client` (the client injected, or None).

    `config` holds botocore `Config` options (e.g. `{"connect_timeout": 2}`), applied when the client is made. Every
    request of every client carries the one User-Agent `user_agent()` names. With `own_requests`, the client sends
    only requests the adapter builds, in shapes the tests run against the emulator: botocore does not check them
    against the service model, and the table operations are prepared as `own_requests.lighten` says.
    """

    def __init__(self, service: str, config: Mapping[str, Any] | None = None, *, own_requests: bool = False) -> None:
        self.service = service
        self.config = dict(config or {})
        self.own_requests = own_requests

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> LazyClient[C]: ...

    @overload
    def __get__(self, instance: object, owner: type[Any]) -> C: ...

    def __get__(self, instance: object | None, owner: type[Any]) -> LazyClient[C] | C:
        if instance is None:
            return self
        client: C | None = getattr(instance, "_client", None)
        if client is None:
            client = self.new()
            setattr(instance, "_client", client)  # noqa: B010 - the adapter's own attribute, typed there
        return client

    def new(self) -> C:
        """A new client, made as the adapter makes its own."""
        client: C = default_client(self.service, self.config, own_requests=self.own_requests)
        return client


def default_client(service: str, config: Mapping[str, Any] | None = None, *, own_requests: bool = False) -> Any:
    """A new client of `service` from boto3's default session, with the User-Agent `user_agent()` names
    (`own_requests`: as `LazyClient` says)."""
    import boto3  # noqa: PLC0415 - on first use, not at import
    from botocore.config import Config  # noqa: PLC0415

    options = {"user_agent": user_agent(), **(config or {})}
    if own_requests:
        # botocore's check of each request against the model would find nothing (half the time of preparing a
        # transaction of a few items).
        options.update(parameter_validation=False)
    client = boto3.client(service, config=Config(**options))
    if own_requests:
        from ponte.adapters.own_requests import lighten  # noqa: PLC0415

        lighten(client)
    return client


@cache
def user_agent() -> str:
    """boto3's, Python's and the platform's names and versions, as `botocore.session.Session.user_agent` gives them
    (botocore appends its own). Left to itself, botocore builds the header again for every request, to add codes of
    the SDK features the request used: that takes as long as the rest of a small request's preparation (an SNS
    publish, stubbed: 187 µs with it, 96 µs without), and tells AWS nothing Ponte needs."""
    import platform  # noqa: PLC0415

    import boto3  # noqa: PLC0415

    return f"Boto3/{boto3.__version__} Python/{platform.python_version()} {platform.system()}/{platform.release()}"
