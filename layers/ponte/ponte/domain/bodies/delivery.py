"""Bodies about delivering customer notices: what staff must know when a notice could not reach its customer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

HeldReason = Literal["identity_missing", "identity_invalid", "refused", "no_contact"]


class CustomerNoticeHeld(BaseModel):
    """A customer notice was not sent: the business's identity is not set (or invalid), the provider refused it for
    good, or the customer has no usable contact. `notice` is the kind of notice held back."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["customer_notice.held"] = "customer_notice.held"
    reason: HeldReason
    notice: str
    customer_name: str | None = None
    detail: str | None = None  # the provider's reason, or what is wrong with the identity (never an address)
