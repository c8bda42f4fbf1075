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

    `config` holds botocore `Config` options (e.g. `{"parameter_validation": False}`), applied when the client is made.
    With `fixed_user_agent`, every request carries the one User-Agent `user_agent()` names.
    """

    def __init__(
        self, service: str, config: Mapping[str, Any] | None = None, *, fixed_user_agent: bool = False
    ) -> None:
        self.service = service
        self.config = dict(config or {})
        self.fixed_user_agent = fixed_user_agent

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
        client: C = default_client(self.service, self.config, fixed_user_agent=self.fixed_user_agent)
        return client


def default_client(service: str, config: Mapping[str, Any] | None = None, *, fixed_user_agent: bool = False) -> Any:
    """A new client of `service` from boto3's default session."""
    import boto3  # noqa: PLC0415 - on first use, not at import

    options = dict(config or {})
    if fixed_user_agent:
        options["user_agent"] = user_agent()
    if not options:
        return boto3.client(service)
    from botocore.config import Config  # noqa: PLC0415

    return boto3.client(service, config=Config(**options))


@cache
def user_agent() -> str:
    """boto3's, Python's and the platform's names and versions, as `botocore.session.Session.user_agent` gives them
    (botocore appends its own). Left to itself, botocore builds the header again for every request, to add codes of
    the SDK features the request used: that takes as long as the rest of a small query's preparation, and tells AWS
    nothing Ponte needs."""
    import platform  # noqa: PLC0415

    import boto3  # noqa: PLC0415

    return f"Boto3/{boto3.__version__} Python/{platform.python_version()} {platform.system()}/{platform.release()}"
