"""Ponte's local stack: template.yaml on an embedded AWS, without Docker or an AWS account."""

from infra.local.stack import Delivery, Failure, LocalStack

__all__ = ["Delivery", "Failure", "LocalStack"]
