"""All tables; importing this module registers every model on Base.metadata."""

from simgate.models import audit, auth, delivery, forwarding, web
from simgate.models.accounts import Account, ApiKey
from simgate.models.activations import Activation, InboundSms
from simgate.models.base import Base
from simgate.models.catalog import Country, Operator, Price, Service
from simgate.models.ledger import Balance, Hold, LedgerEntry
from simgate.models.outbox import OutboxMessage
from simgate.models.suppliers import Supplier, SupplierStock

__all__ = [
    "Account",
    "Activation",
    "ApiKey",
    "Balance",
    "Base",
    "Country",
    "Hold",
    "InboundSms",
    "LedgerEntry",
    "Operator",
    "OutboxMessage",
    "Price",
    "Service",
    "Supplier",
    "SupplierStock",
    "audit",
    "auth",
    "delivery",
    "forwarding",
    "web",
]
