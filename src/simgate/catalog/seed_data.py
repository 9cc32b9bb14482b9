"""The catalog a new hub starts with: the spec's countries, operators and services."""

from __future__ import annotations

# (slug, onlinesim code, dial prefix, English name); the agent protocol's country list.
COUNTRIES: list[tuple[str, int, str, str]] = [
    ("russia", 7, "7", "Russia"),
    ("kazakhstan", 77, "7", "Kazakhstan"),
    ("ukraine", 380, "380", "Ukraine"),
    ("belorussia", 375, "375", "Belarus"),
    ("usa", 1, "1", "USA"),
    ("united_kingdom", 44, "44", "United Kingdom"),
    ("germany", 49, "49", "Germany"),
    ("france", 33, "33", "France"),
    ("netherlands", 31, "31", "Netherlands"),
    ("poland", 48, "48", "Poland"),
    ("sweden", 46, "46", "Sweden"),
    ("estonia", 372, "372", "Estonia"),
    ("latvia", 371, "371", "Latvia"),
    ("lithuania", 370, "370", "Lithuania"),
    ("croatia", 385, "385", "Croatia"),
    ("serbia", 381, "381", "Serbia"),
    ("azerbaijan", 994, "994", "Azerbaijan"),
    ("kyrgyzstan", 996, "996", "Kyrgyzstan"),
    ("uzbekistan", 998, "998", "Uzbekistan"),
    ("israeli", 972, "972", "Israel"),
    ("iraq", 964, "964", "Iraq"),
    ("yemen", 967, "967", "Yemen"),
    ("egypt", 20, "20", "Egypt"),
    ("gambia", 220, "220", "Gambia"),
    ("ivory", 225, "225", "Ivory Coast"),
    ("nigeria", 234, "234", "Nigeria"),
    ("chad", 235, "235", "Chad"),
    ("cameroon", 237, "237", "Cameroon"),
    ("kenya", 254, "254", "Kenya"),
    ("tanzania", 255, "255", "Tanzania"),
    ("haiti", 509, "509", "Haiti"),
    ("malaysia", 60, "60", "Malaysia"),
    ("indonesia", 62, "62", "Indonesia"),
    ("philippines", 63, "63", "Philippines"),
    ("vietnam", 84, "84", "Vietnam"),
    ("china", 86, "86", "China"),
    ("myanmar", 95, "95", "Myanmar"),
    ("hongkong", 852, "852", "Hong Kong"),
]

# (country slug or None for every country, slug, name, MCC-MNC as `simoperator` takes it)
OPERATORS: list[tuple[str | None, str, str, str | None]] = [
    (None, "any", "Any operator", None),
    ("russia", "mts", "MTS", "25001"),
    ("russia", "megafon", "MegaFon", "25002"),
    ("russia", "beeline", "Beeline", "25099"),
    ("russia", "tele2", "Tele2", "25020"),
    ("russia", "yota", "Yota", "25011"),
    ("russia", "rostelecom", "Rostelecom", "25039"),
    ("russia", "sber", "SberMobile", "25050"),
    ("russia", "simsim", "SIMSIM", None),
    ("russia", "aiva", "Aiva", None),
    ("kazakhstan", "activ", "Activ", "40102"),
    ("kazakhstan", "altel", "Altel", "40107"),
    ("kazakhstan", "beeline", "Beeline KZ", "40101"),
    ("kazakhstan", "tele2", "Tele2 KZ", "40177"),
    ("ukraine", "kyivstar", "Kyivstar", "25503"),
    ("ukraine", "life", "lifecell", "25506"),
    ("ukraine", "vodafone", "Vodafone UA", "25501"),
    ("france", "orange", "Orange", "20801"),
    ("poland", "orange", "Orange PL", "26003"),
]

# (slug, alias, agent code, title, senders, text patterns, takes all SMS). A buyer may name a
# service by any of slug, alias or agent code (`Odklru`, `classmates`, `ok`): clients of the
# sms-activate family send the short code.
SERVICES: list[tuple[str, str, str, str, list[str], list[str], bool]] = [
    (
        "VKcom",
        "vk",
        "vk",
        "ВКонтакте",
        ["VK", "VKcom", "VKontakte", "vk.com"],
        [r"\bVK\b", r"ВКонтакте", r"VKontakte"],
        False,
    ),
    (
        "3223",
        "facebook",
        "fb",
        "Facebook",
        ["Facebook", "FB", "32665"],
        [r"Facebook", r"\bFB-\d"],
        False,
    ),
    ("MailRu", "mailru", "ma", "Mail.Ru", ["Mail.Ru", "MailRu", "Mail.ru"], [r"Mail\.ru"], False),
    (
        "Odklru",
        "classmates",
        "ok",
        "Одноклассники",
        ["OK.ru", "OKru", "Odnoklassniki", "OK"],
        [r"OK\.ru", r"Одноклассники", r"Odnoklassniki"],
        False,
    ),
    ("Google", "gmail", "go", "Google", ["Google", "Gmail"], [r"\bG-\d{4,8}", r"Google"], False),
    ("Yandex", "yandex", "ya", "Yandex", ["Yandex", "Яндекс"], [r"Yandex", r"Яндекс"], False),
    ("Avito", "avito", "av", "Avito", ["Avito", "Авито"], [r"Avito", r"Авито"], False),
    ("Youla", "youla", "ym", "Юла", ["Youla", "Юла"], [r"Youla", r"Юла"], False),
    ("Viber", "viber", "vi", "Viber", ["Viber"], [r"Viber"], False),
    ("WhatsApp", "whatsapp", "wa", "WhatsApp", ["WhatsApp"], [r"WhatsApp"], False),
    ("Telegram", "telegram", "tg", "Telegram", ["Telegram"], [r"Telegram"], False),
    (
        "FastFriend",
        "drugvokrug",
        "we",
        "ДругВокруг",
        ["DrugVokrug", "ДругВокруг"],
        [r"DrugVokrug", r"ДругВокруг"],
        False,
    ),
    ("Instagram", "instagram", "ig", "Instagram", ["Instagram"], [r"Instagram"], False),
    ("WeChat", "wechat", "wb", "WeChat", ["WeChat"], [r"WeChat"], False),
    ("Steam", "steam", "mt", "Steam", ["Steam"], [r"Steam"], False),
    ("Uber", "uber", "ub", "Uber", ["Uber"], [r"\bUber\b"], False),
    ("Microsoft", "microsoft", "mm", "Microsoft", ["Microsoft"], [r"Microsoft"], False),
    ("7", "other", "ot", "Другие сайты", [], [], True),
]

# Default online price per service in Russia, minor units (kopecks); repeat and deferred are
# derived, and other countries get the same list. Operators edit them with `simgate price set`.
DEFAULT_INDEX_PRICE: dict[str, int] = {
    "VKcom": 1400,
    "3223": 400,
    "MailRu": 500,
    "Odklru": 800,
    "Google": 1200,
    "Yandex": 600,
    "Avito": 1500,
    "Youla": 700,
    "Viber": 500,
    "WhatsApp": 1800,
    "Telegram": 2500,
    "FastFriend": 400,
    "Instagram": 600,
    "WeChat": 1800,
    "Steam": 500,
    "Uber": 500,
    "Microsoft": 500,
    "7": 400,
}


def default_prices(index_price: int) -> tuple[int, int, int, int]:
    """(index, repeat, deferr, payout) from the online price."""
    return index_price, index_price * 6 // 10, index_price * 85 // 100, index_price * 6 // 10
