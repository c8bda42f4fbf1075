"""Key builders of the single table, and the access patterns they serve.

| access pattern                          | key                                                      |
|-----------------------------------------|----------------------------------------------------------|
| get an account                          | pk=ACCOUNT#<id>, sk=ACCOUNT                              |
|   with the summary of its payments      |   `summary`: the latest payments (key, the delivery that |
|   (`LedgerSummary`)                     |   recorded it, receipt time), kept by every change       |
| an account with its ledger (one query)  | pk=ACCOUNT#<id>, sk BETWEEN ACCOUNT AND LEDGER$          |
| the same query with Limit 2: is the     | the account item and the first ledger item: a payment or |
| ledger payments alone? (a new payment's | none means payments alone (CANCEL, DELIVERY, INVOICE and |
| read, `DynamoStore.payment_head`)       | NOTICE sort before PAYMENT), whatever their number       |
|   invoices                              |   sk=LEDGER#INVOICE#<invoice key>                        |
|   payments                              |   sk=LEDGER#PAYMENT#<provider>#<payment id>; the one a   |
|                                         |   delivery records is its dedup marker and carries that  |
|                                         |   change's timeline entries (`entries`)                  |
|   collection notices sent               |   sk=LEDGER#NOTICE#<utc>#<step>#<channel>                |
|   NF-e cancellations                    |   sk=LEDGER#CANCEL#<access key>                          |
|   invoices staff wrote off              |   sk=LEDGER#WRITEOFF#<invoice key>                       |
|   what each customer notice's channels  |   sk=LEDGER#DELIVERY#<notification id>#<channel>         |
|   did (accepted, refused, held)         |                                                          |
|   what SES then reported of its e-mail  |   the e-mail's receipt, with status, status_at, history  |
|   (delivered, bounced, complained...)   |   and revision (delivery_events)                         |
| an account's history, in order          | pk=ACCOUNT#<id>, sk begins_with TIMELINE#, with the      |
|                                         | entries payment items carry (`entries`, each with the    |
|                                         | TIMELINE# sort key it stands at) put in their place      |
|   what SES reported of a notice's       |   sk=TIMELINE#<event utc>#DELIVERY#<notification id>#    |
|   e-mail (one entry per event)          |   <event> (stable: a replayed event writes the same item)|
|   a staff read worth auditing (a        |   sk=TIMELINE#<utc>#AUDIT#<request id> (no new version:  |
|   contact revealed)                     |   a read changes nothing)                                |
| everything staff see of an account      | pk=ACCOUNT#<id> (the whole partition, one query)         |
| an alert staff acknowledged             | pk=ACCOUNT#<id>, sk=STAFF#ACK#<notification id> (once)   |
| an alert's escalation, if not           | pk=ACCOUNT#<id>, sk=STAFF#ESCALATION#<notification id>   |
| acknowledged (`adapters.escalations`)   | (once); pending ones found through the `due` index below |
|   the escalation in the history         |   sk=TIMELINE#<utc>#ESCALATION#<notification id>         |
| is the customer's address unreachable?  | pk=ACCOUNT#<id>, sk=UNREACHABLE#<channel>: hashes of the |
| (read with the account: BatchGetItem)   | addresses that bounced for good or complained, never the |
|                                         | addresses                                                |
| which account a reference leads to      | pk=REF#<kind>#<value>, sk=REF (tax id, e-mail, provider  |
|                                         | customer id, the business's own reference)              |
| an account's outbox items (notifier)    | pk=ACCOUNT#<id>, sk=OUTBOX#<notification id>; stream     |
| "was this inbound thing handled?"       | pk=INBOUND#<dedup key>, sk=INBOUND (TTL); an upload's    |
|                                         | marker is INBOUND#upload:<upload id>, with `moved_to`;   |
|                                         | a delivery that records a payment: that payment's item   |
| an upload's alert to the back office    | pk=ACCOUNT#_backoffice, sk=OUTBOX#<notification id>      |
|                                         | (an outbox-only partition: no account item there)        |
| an NF-e cancellation whose NF-e is not  | pk=NFE#<access key>, sk=CANCEL (the NF-e's account is    |
| recorded yet                            | found by the reference `nfe`/<access key>)               |
| accounts due for evaluation, by time    | GSI `due`: due_pk=DUE, due_at <= now (sparse: only      |
|                                         | accounts with a next evaluation carry these attributes) |
| escalations due, by time                | GSI `due`: due_pk=ESCALATION, due_at <= now (only while |
|                                         | pending; parked notifications have due_pk=PARKED)       |
| accounts by name prefix (staff search)  | GSI `search`: search_pk=NAME#<first character>,          |
|                                         | begins_with(search_sk, <name as `search_name` has it>);  |
|                                         | search_sk=<that name>#<account id> (account items only)  |
| an owner's overdue book, oldest first   | GSI `search`: search_pk=BOOK#<owner or ->, search_sk=    |
|                                         | <overdue since (date)>#<account id> (book entries only,  |
|                                         | see `ponte.adapters.collections_book`)                   |

Re-evaluation flag (for bulk writers that cannot take the account's transaction, like an upload's batch writes):
any item in an account's partition that carries `due_pk=DUE` and `due_at=<utc_key>` appears in the `due` index, so
the scheduled sweep finds the account and the collections worker evaluates it again from its whole ledger; the
worker removes the two attributes from that item in its own transaction (only if `due_at` is still the value it
saw, so a newer flag is never lost). The account item itself carries them while an evaluation is scheduled.

Outbox items and inbound markers carry `expires_at` (epoch seconds) for DynamoDB's TTL: the stream has
delivered an outbox item long before it expires; a marker outlives the providers' retry windows (Stripe
retries for 3 days, Mercado Pago for days).
"""

from __future__ import annotations

from typing import Final

ACCOUNT: Final = "ACCOUNT"
LEDGER: Final = "LEDGER"
LEDGER_END: Final = "LEDGER$"  # sorts after every LEDGER#... key and before OUTBOX#, TIMELINE#
REF: Final = "REF"
TIMELINE: Final = "TIMELINE"
OUTBOX: Final = "OUTBOX"
INBOUND: Final = "INBOUND"
DUE_INDEX: Final = "due"
DUE_PARTITION: Final = "DUE"
ESCALATION_PARTITION: Final = "ESCALATION"
SEARCH_INDEX: Final = "search"
NAME_PARTITION: Final = "NAME"
BOOK_OWNER_PARTITION: Final = "BOOK"
NO_OWNER: Final = "-"

OUTBOX_TTL_SECONDS: Final = 7 * 24 * 3600
INBOUND_TTL_SECONDS: Final = 30 * 24 * 3600


def account_pk(account_id: str) -> str:
    return f"{ACCOUNT}#{account_id}"


def account_key(account_id: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": ACCOUNT}


def timeline_key(account_id: str, at_iso: str, version: int, seq: int) -> dict[str, str]:
    """Unique per change: every change moves the account's version on."""
    return {"pk": account_pk(account_id), "sk": f"{TIMELINE}#{at_iso}#{version:010d}#{seq:03d}"}


def invoice_key(account_id: str, key: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"{LEDGER}#INVOICE#{key}"}


def payment_key(account_id: str, provider: str, payment_id: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"{LEDGER}#PAYMENT#{provider}#{payment_id}"}


def notice_key(account_id: str, sent_at_iso: str, step_id: str, channel: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"{LEDGER}#NOTICE#{sent_at_iso}#{step_id}#{channel}"}


def cancellation_key(account_id: str, access_key: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"{LEDGER}#CANCEL#{access_key}"}


def write_off_key(account_id: str, invoice_key: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"{LEDGER}#WRITEOFF#{invoice_key}"}


def acknowledgement_key(account_id: str, notification_id: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"STAFF#ACK#{notification_id}"}


def escalation_key(account_id: str, notification_id: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"STAFF#ESCALATION#{notification_id}"}


def escalation_timeline_key(account_id: str, at_iso: str, notification_id: str) -> dict[str, str]:
    """The history's entry of an alert's escalation: named by the alert (an escalation does not move the account's
    version), so a retried write lands on the same item."""
    return {"pk": account_pk(account_id), "sk": f"{TIMELINE}#{at_iso}#ESCALATION#{notification_id}"}


def audit_timeline_key(account_id: str, at_iso: str, request_id: str) -> dict[str, str]:
    """An entry of the account's history about a staff read (a contact revealed): named by the request, since a
    read does not move the account's version."""
    return {"pk": account_pk(account_id), "sk": f"{TIMELINE}#{at_iso}#AUDIT#{request_id}"}


def name_search_keys(name: str, account_id: str) -> dict[str, str]:
    """The `search` index attributes of an account item: `name` already as `search_name` has it, not empty."""
    return {"search_pk": name_partition(name), "search_sk": f"{name}#{account_id}"}


def name_partition(name: str) -> str:
    return f"{NAME_PARTITION}#{name[0]}"


def book_search_keys(owner: str | None, overdue_since: str, account_id: str) -> dict[str, str]:
    """The `search` index attributes of an overdue book entry: by owner, oldest debt first."""
    return {"search_pk": book_partition(owner), "search_sk": f"{overdue_since}#{account_id}"}


def book_partition(owner: str | None) -> str:
    return f"{BOOK_OWNER_PARTITION}#{owner or NO_OWNER}"


def delivery_key(account_id: str, notification_id: str, channel: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"{LEDGER}#DELIVERY#{notification_id}#{channel}"}


def delivery_timeline_key(account_id: str, at_iso: str, notification_id: str, event: str) -> dict[str, str]:
    """An entry of the account's history about a notice's delivery: named by the notice and the event rather than by
    the account's version (which SES's events do not move), so the same event always lands on the same item."""
    return {"pk": account_pk(account_id), "sk": f"{TIMELINE}#{at_iso}#DELIVERY#{notification_id}#{event}"}


def unreachable_key(account_id: str, channel: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"UNREACHABLE#{channel}"}


def parked_cancellation_key(access_key: str) -> dict[str, str]:
    return {"pk": f"NFE#{access_key}", "sk": "CANCEL"}


def reference_key(kind: str, value: str) -> dict[str, str]:
    return {"pk": f"{REF}#{kind}#{value}", "sk": REF}


def outbox_key(account_id: str, notification_id: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"{OUTBOX}#{notification_id}"}


def inbound_key(dedup_key: str) -> dict[str, str]:
    return {"pk": f"{INBOUND}#{dedup_key}", "sk": INBOUND}
