"""Names on the agent protocol: service codes, operators from MCC-MNC, countries and dial codes."""

from __future__ import annotations

# The short codes of the sms-activate family that the SMSHUB agent protocol uses.
SERVICE_CODES: tuple[str, ...] = (
    "vk", "ok", "wa", "tg", "vi", "fb", "go", "ig", "av", "ya",
    "ma", "ub", "wb", "mm", "tw", "mt", "we", "ym", "ot",
)  # fmt: skip

# How each service signs its SMS (phoneFrom), for the simulated pool.
SERVICE_SENDERS: dict[str, str] = {
    "vk": "VK",
    "ok": "OK.RU",
    "wa": "WhatsApp",
    "tg": "Telegram",
    "vi": "Viber",
    "fb": "Facebook",
    "go": "Google",
    "ig": "Instagram",
    "av": "Avito",
    "ya": "Yandex",
    "ma": "Mail.ru",
    "ub": "Uber",
    "wb": "WeChat",
    "mm": "Microsoft",
    "tw": "Twitter",
    "mt": "Steam",
    "we": "DrugVokrug",
    "ym": "Youla",
    "ot": "Info",
}

# IMSI MCC-MNC → operator name on the protocol; an operator may extend it in configuration.
OPERATORS_BY_MCCMNC: dict[str, str] = {
    "25001": "mts",
    "25002": "megafon",
    "25099": "beeline",
    "25020": "tele2",
    "25011": "yota",
    "25050": "sber",
    "25012": "rostelecom",
    "25501": "vodafone",
    "25503": "kyivstar",
    "25506": "lifecell",
    "40101": "beeline",
    "40102": "activ",
    "40177": "tele2",
    "40107": "altel",
}

COUNTRIES_BY_MCC: dict[str, str] = {
    "250": "russia",
    "255": "ukraine",
    "257": "belorussia",
    "401": "kazakhstan",
    "400": "azerbaijan",
    "434": "uzbekistan",
    "437": "kyrgyzstan",
    "248": "estonia",
    "247": "latvia",
    "246": "lithuania",
    "260": "poland",
}

DIAL_CODES: dict[str, str] = {
    "russia": "7",
    "kazakhstan": "7",
    "ukraine": "380",
    "belorussia": "375",
    "azerbaijan": "994",
    "uzbekistan": "998",
    "kyrgyzstan": "996",
    "estonia": "372",
    "latvia": "371",
    "lithuania": "370",
    "poland": "48",
}

ANY_OPERATOR = "any"


def operator_for_imsi(imsi: str, overrides: dict[str, str] | None = None) -> str:
    """The protocol's operator name for a SIM, `any` when the MCC-MNC is not known."""
    table = {**OPERATORS_BY_MCCMNC, **(overrides or {})}
    for length in (6, 5):
        name = table.get(imsi[:length])
        if name:
            return name
    return ANY_OPERATOR


def country_for_imsi(imsi: str, default: str) -> str:
    """The protocol's country name for a SIM from its MCC, or the configured default."""
    return COUNTRIES_BY_MCC.get(imsi[:3], default)
