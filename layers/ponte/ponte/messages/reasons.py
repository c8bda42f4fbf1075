"""Providers' reason codes and subscription statuses, as words in the reader's language.

A failed payment, a dispute or a cancelled subscription comes with the provider's code (Stripe's decline codes,
dispute reasons and cancellation reasons; Asaas's event kinds and chargeback reasons; Mercado Pago's
`status_detail`), and a changed subscription with the provider's status (Stripe's `status`, Asaas's, Mercado Pago's
preapproval `status`). Staff read the words; the code stays in the machine payload. A code not in the catalogue is
shown as "other reason" (or "other status") with the code, in the reader's language, never as a bare English
fragment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale

# code -> (pt-BR, es, en)
_CATALOGUE: dict[str, tuple[str, str, str]] = {
    # Card declines (Stripe decline codes; Mercado Pago status_detail).
    "card_declined": ("cartão recusado", "tarjeta rechazada", "card declined"),
    "generic_decline": ("cartão recusado pelo banco", "tarjeta rechazada por el banco", "card declined by the bank"),
    "do_not_honor": ("cartão recusado pelo banco", "tarjeta rechazada por el banco", "card declined by the bank"),
    "insufficient_funds": ("saldo insuficiente", "fondos insuficientes", "insufficient funds"),
    "cc_rejected_insufficient_amount": ("saldo insuficiente", "fondos insuficientes", "insufficient funds"),
    "expired_card": ("cartão vencido", "tarjeta vencida", "expired card"),
    "cc_rejected_bad_filled_date": ("validade do cartão errada", "fecha de vencimiento errónea", "wrong expiry date"),
    "incorrect_cvc": ("código de segurança errado", "código de seguridad erróneo", "wrong security code"),
    "cc_rejected_bad_filled_security_code": (
        "código de segurança errado",
        "código de seguridad erróneo",
        "wrong security code",
    ),
    "incorrect_number": ("número do cartão errado", "número de tarjeta erróneo", "wrong card number"),
    "cc_rejected_bad_filled_card_number": ("número do cartão errado", "número de tarjeta erróneo", "wrong card number"),
    "cc_rejected_bad_filled_other": ("dados do cartão errados", "datos de la tarjeta erróneos", "wrong card details"),
    "lost_card": ("cartão perdido", "tarjeta perdida", "lost card"),
    "stolen_card": ("cartão roubado", "tarjeta robada", "stolen card"),
    "fraudulent": ("suspeita de fraude", "sospecha de fraude", "suspected fraud"),
    "cc_rejected_high_risk": ("recusado por risco de fraude", "rechazado por riesgo de fraude", "refused as high risk"),
    "cc_rejected_blacklist": ("cartão bloqueado", "tarjeta bloqueada", "card blocked"),
    "cc_rejected_card_disabled": ("cartão desativado", "tarjeta desactivada", "card disabled"),
    "cc_rejected_call_for_authorize": (
        "o cliente precisa autorizar com o banco",
        "el cliente debe autorizar con el banco",
        "the customer must authorise it with the bank",
    ),
    "authentication_required": (
        "o cliente precisa autenticar o pagamento",
        "el cliente debe autenticar el pago",
        "the customer must authenticate the payment",
    ),
    "cc_rejected_max_attempts": ("tentativas esgotadas", "intentos agotados", "too many attempts"),
    "cc_rejected_duplicated_payment": ("pagamento em duplicidade", "pago duplicado", "duplicate payment"),
    "processing_error": ("erro no processamento", "error de procesamiento", "processing error"),
    "cc_rejected_other_reason": ("recusado pelo banco", "rechazado por el banco", "declined by the bank"),
    "rejected_by_bank": ("recusado pelo banco", "rechazado por el banco", "declined by the bank"),
    # Asaas event kinds that carry a failure.
    "PAYMENT_CREDIT_CARD_CAPTURE_REFUSED": (
        "cobrança no cartão recusada",
        "cargo a la tarjeta rechazado",
        "card charge refused",
    ),
    "PAYMENT_REPROVED_BY_RISK_ANALYSIS": (
        "reprovado na análise de risco",
        "rechazado por el análisis de riesgo",
        "refused by the risk analysis",
    ),
    "SUBSCRIPTION_DELETED": ("assinatura excluída", "suscripción eliminada", "subscription deleted"),
    "SUBSCRIPTION_INACTIVATED": ("assinatura desativada", "suscripción desactivada", "subscription deactivated"),
    # Disputes (Stripe dispute reasons; Asaas chargeback reasons).
    "duplicate": ("cobrança em duplicidade", "cargo duplicado", "charged twice"),
    "product_not_received": ("produto não recebido", "producto no recibido", "product not received"),
    "SERVICE_NOT_RECEIVED": ("serviço não recebido", "servicio no recibido", "service not received"),
    "product_unacceptable": (
        "produto com defeito ou diferente",
        "producto defectuoso o distinto",
        "product unacceptable",
    ),
    "SERVICE_DISAGREEMENT_OR_DEFECTIVE_PRODUCT": (
        "desacordo com o serviço ou produto com defeito",
        "desacuerdo con el servicio o producto defectuoso",
        "service disagreement or defective product",
    ),
    "subscription_canceled": (
        "o cliente diz ter cancelado a assinatura",
        "el cliente dice haber cancelado la suscripción",
        "the customer says the subscription was cancelled",
    ),
    "RECURRENCE_CANCELED": (
        "o cliente diz ter cancelado a recorrência",
        "el cliente dice haber cancelado el cobro recurrente",
        "the customer says the recurring charge was cancelled",
    ),
    "credit_not_processed": ("reembolso não processado", "reembolso no procesado", "refund not processed"),
    "unrecognized": ("o cliente não reconhece a compra", "el cliente no reconoce la compra", "purchase not recognised"),
    "general": ("contestação sem motivo específico", "contracargo sin motivo específico", "no specific reason"),
    "FRAUD": ("fraude", "fraude", "fraud"),
    "CARD_FRAUD": ("fraude com cartão", "fraude con tarjeta", "card fraud"),
    "ABSENT_CARD_FRAUD": ("fraude sem cartão presente", "fraude sin tarjeta presente", "card-not-present fraud"),
    "COMMERCIAL_DISAGREEMENT": ("desacordo comercial", "desacuerdo comercial", "commercial disagreement"),
    "INCORRECT_TRANSACTION_VALUE": ("valor cobrado errado", "importe cobrado erróneo", "wrong amount charged"),
    "SALE_CANCELED": ("venda cancelada", "venta cancelada", "sale cancelled"),
    "PROCESS_ERROR": ("erro no processamento", "error de procesamiento", "processing error"),
    # Subscription cancellations (Stripe cancellation_details.reason).
    "cancellation_requested": ("cancelada a pedido", "cancelada a pedido", "cancelled on request"),
    "payment_disputed": ("pagamento contestado", "pago disputado", "payment disputed"),
    "payment_failed": ("pagamento não realizado", "pago no realizado", "payment failed"),
}
_LOCALES: dict[Locale, int] = {"pt-BR": 0, "es": 1, "en": 2}
_OTHER: dict[Locale, str] = {
    "pt-BR": "outro motivo (código do provedor: {code})",
    "es": "otro motivo (código del proveedor: {code})",
    "en": "other reason (provider's code: {code})",
}

# status, lower-cased -> (pt-BR, es, en): Stripe's subscription statuses, Asaas's (ACTIVE, EXPIRED, INACTIVE), Mercado
# Pago's preapproval statuses.
_STATUSES: dict[str, tuple[str, str, str]] = {
    "active": ("ativa", "activa", "active"),
    "trialing": ("em período de teste", "en período de prueba", "in its trial period"),
    "past_due": ("com pagamento em atraso", "con pago vencido", "with a payment overdue"),
    "unpaid": ("não paga", "impaga", "unpaid"),
    "canceled": ("cancelada", "cancelada", "cancelled"),
    "cancelled": ("cancelada", "cancelada", "cancelled"),
    "incomplete": (
        "incompleta (aguarda o primeiro pagamento)",
        "incompleta (espera el primer pago)",
        "incomplete (awaiting the first payment)",
    ),
    "incomplete_expired": (
        "expirada sem o primeiro pagamento",
        "vencida sin el primer pago",
        "expired without a first payment",
    ),
    "paused": ("pausada", "pausada", "paused"),
    "expired": ("expirada", "vencida", "expired"),
    "inactive": ("inativa", "inactiva", "inactive"),
    "authorized": ("autorizada", "autorizada", "authorised"),
    "pending": ("pendente", "pendiente", "pending"),
}
_OTHER_STATUS: dict[Locale, str] = {
    "pt-BR": "outra situação (código do provedor: {code})",
    "es": "otro estado (código del proveedor: {code})",
    "en": "other status (provider's code: {code})",
}


def codes() -> tuple[str, ...]:
    return tuple(_CATALOGUE)


def reason_text(code: str, locale: Locale) -> str:
    """The reason `code` stands for, in `locale`; a code the catalogue lacks is named as the provider's."""
    known = _CATALOGUE.get(code.strip())
    if known is not None:
        return known[_LOCALES[locale]]
    return _OTHER[locale].format(code=code.strip()[:80])


def statuses() -> tuple[str, ...]:
    return tuple(_STATUSES)


def status_text(status: str, locale: Locale) -> str:
    """A subscription's status `status` in `locale`; one the catalogue lacks is named as the provider's."""
    known = _STATUSES.get(status.strip().lower())
    if known is not None:
        return known[_LOCALES[locale]]
    return _OTHER_STATUS[locale].format(code=status.strip()[:80])
