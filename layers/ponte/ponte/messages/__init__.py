"""Rendering of notifications per channel (e-mail, SMS, machines) and locale (pt-BR, es, en)."""

from ponte.messages.render import RenderedMessage, machine_payload, render

__all__ = ["RenderedMessage", "machine_payload", "render"]
