"""Bodies about the staff's own handling of alerts: a critical alert its owner did not acknowledge in time, escalated
(`ponte.domain.escalation`)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# What the escalated alert was about, as its reader is told (the alert's own kind stays in `alert_kind`).
EscalatedSubject = Literal["account_suspended", "chargeback_opened", "customer_unreachable"]


class AlertEscalated(BaseModel):
    """To the owner's manager (else the admins): the alert `alert_id` sent to the owner at `sent_at` was not
    acknowledged within `minutes`."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: Literal["alert.escalated"] = "alert.escalated"
    alert_id: str = Field(min_length=1, max_length=64)
    alert_kind: str = Field(min_length=1, max_length=64)
    subject: EscalatedSubject
    account_name: str = Field(min_length=1, max_length=200)
    owner_name: str = Field(min_length=1, max_length=200)
    sent_at: AwareDatetime
    minutes: int = Field(ge=1)
