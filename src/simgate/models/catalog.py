"""Countries, operators, services (with their aliases and sender rules) and prices."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from simgate.core.changes import CATALOG
from simgate.models.base import Base, id_column, published


class Country(Base):
    __tablename__ = "countries"
    __table_args__ = published(CATALOG)

    id: Mapped[int] = id_column()
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    # onlinesim's `country` parameter: the dial code, or a longer one where codes collide (77).
    code: Mapped[int] = mapped_column(Integer, unique=True)
    dial_prefix: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Operator(Base):
    __tablename__ = "operators"
    __table_args__ = (UniqueConstraint("country_slug", "slug"), published(CATALOG))

    id: Mapped[int] = id_column()
    # NULL for `any`, which exists in every country.
    country_slug: Mapped[str | None] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    mccmnc: Mapped[str | None] = mapped_column(String(8), unique=True)


class Service(Base):
    __tablename__ = "services"
    __table_args__ = published(CATALOG)

    id: Mapped[int] = id_column()
    slug: Mapped[str] = mapped_column(String(64), unique=True)  # onlinesim variant 1: VKcom
    alias: Mapped[str] = mapped_column(String(64), unique=True)  # onlinesim variant 2: vk
    agent_code: Mapped[str] = mapped_column(String(16), unique=True)  # agent protocol: vk
    title: Mapped[str] = mapped_column(String(128))
    # Newline-separated sender names (case-insensitive, exact) and text regexes that mark an
    # SMS as this service's. Empty for `other`, which takes every SMS.
    senders: Mapped[str] = mapped_column(Text, default="")
    text_patterns: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    takes_all: Mapped[bool] = mapped_column(Boolean, default=False)


class Price(Base):
    __tablename__ = "prices"
    __table_args__ = (UniqueConstraint("country_code", "service_id"), published(CATALOG))

    id: Mapped[int] = id_column()
    country_code: Mapped[int] = mapped_column(Integer, index=True)
    service_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("services.id", ondelete="CASCADE")
    )
    index_price: Mapped[int] = mapped_column(BigInteger)  # online reception
    repeat_price: Mapped[int] = mapped_column(BigInteger)
    deferr_price: Mapped[int] = mapped_column(BigInteger)
    payout: Mapped[int] = mapped_column(BigInteger)  # what the agent earns per sale
