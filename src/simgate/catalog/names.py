"""Names of the catalog's countries and services in the languages buyer clients ask for.

sms-activate clients read a country's name in eight languages (`rus eng chn tur spa hin ara
fra`) and a service's name in the language they ask for. The English name of a country is the
one the operator keeps on its row; the other languages come from this table. A language with
no translation here (Hindi and Arabic, and any country an operator adds) shows the English
name: a readable name beats an empty one.
"""

from __future__ import annotations

from simgate.models import Country, Service

COUNTRY_LANGUAGES = ("rus", "eng", "chn", "tur", "spa", "hin", "ara", "fra")

# slug -> (Russian, Chinese, Turkish, Spanish, French)
_COUNTRY_NAMES: dict[str, tuple[str, str, str, str, str]] = {
    "russia": ("Россия", "俄罗斯", "Rusya", "Rusia", "Russie"),
    "kazakhstan": ("Казахстан", "哈萨克斯坦", "Kazakistan", "Kazajistán", "Kazakhstan"),
    "ukraine": ("Украина", "乌克兰", "Ukrayna", "Ucrania", "Ukraine"),
    "belorussia": ("Беларусь", "白俄罗斯", "Belarus", "Bielorrusia", "Biélorussie"),
    "usa": ("США", "美国", "ABD", "Estados Unidos", "États-Unis"),
    "united_kingdom": ("Великобритания", "英国", "Birleşik Krallık", "Reino Unido", "Royaume-Uni"),
    "germany": ("Германия", "德国", "Almanya", "Alemania", "Allemagne"),
    "france": ("Франция", "法国", "Fransa", "Francia", "France"),
    "netherlands": ("Нидерланды", "荷兰", "Hollanda", "Países Bajos", "Pays-Bas"),
    "poland": ("Польша", "波兰", "Polonya", "Polonia", "Pologne"),
    "sweden": ("Швеция", "瑞典", "İsveç", "Suecia", "Suède"),
    "estonia": ("Эстония", "爱沙尼亚", "Estonya", "Estonia", "Estonie"),
    "latvia": ("Латвия", "拉脱维亚", "Letonya", "Letonia", "Lettonie"),
    "lithuania": ("Литва", "立陶宛", "Litvanya", "Lituania", "Lituanie"),
    "croatia": ("Хорватия", "克罗地亚", "Hırvatistan", "Croacia", "Croatie"),
    "serbia": ("Сербия", "塞尔维亚", "Sırbistan", "Serbia", "Serbie"),
    "azerbaijan": ("Азербайджан", "阿塞拜疆", "Azerbaycan", "Azerbaiyán", "Azerbaïdjan"),
    "kyrgyzstan": ("Киргизия", "吉尔吉斯斯坦", "Kırgızistan", "Kirguistán", "Kirghizistan"),
    "uzbekistan": ("Узбекистан", "乌兹别克斯坦", "Özbekistan", "Uzbekistán", "Ouzbékistan"),
    "israeli": ("Израиль", "以色列", "İsrail", "Israel", "Israël"),
    "iraq": ("Ирак", "伊拉克", "Irak", "Irak", "Irak"),
    "yemen": ("Йемен", "也门", "Yemen", "Yemen", "Yémen"),
    "egypt": ("Египет", "埃及", "Mısır", "Egipto", "Égypte"),
    "gambia": ("Гамбия", "冈比亚", "Gambiya", "Gambia", "Gambie"),
    "ivory": ("Кот-д'Ивуар", "科特迪瓦", "Fildişi Sahili", "Costa de Marfil", "Côte d'Ivoire"),
    "nigeria": ("Нигерия", "尼日利亚", "Nijerya", "Nigeria", "Nigeria"),
    "chad": ("Чад", "乍得", "Çad", "Chad", "Tchad"),
    "cameroon": ("Камерун", "喀麦隆", "Kamerun", "Camerún", "Cameroun"),
    "kenya": ("Кения", "肯尼亚", "Kenya", "Kenia", "Kenya"),
    "tanzania": ("Танзания", "坦桑尼亚", "Tanzanya", "Tanzania", "Tanzanie"),
    "haiti": ("Гаити", "海地", "Haiti", "Haití", "Haïti"),
    "malaysia": ("Малайзия", "马来西亚", "Malezya", "Malasia", "Malaisie"),
    "indonesia": ("Индонезия", "印度尼西亚", "Endonezya", "Indonesia", "Indonésie"),
    "philippines": ("Филиппины", "菲律宾", "Filipinler", "Filipinas", "Philippines"),
    "vietnam": ("Вьетнам", "越南", "Vietnam", "Vietnam", "Viêt Nam"),
    "china": ("Китай", "中国", "Çin", "China", "Chine"),
    "myanmar": ("Мьянма", "缅甸", "Myanmar", "Myanmar", "Birmanie"),
    "hongkong": ("Гонконг", "香港", "Hong Kong", "Hong Kong", "Hong Kong"),
}
_TRANSLATED = ("rus", "chn", "tur", "spa", "fra")

# Agent code -> English name; a service's own title is its Russian name (`ВКонтакте`).
_SERVICE_NAMES_EN: dict[str, str] = {
    "vk": "VKontakte",
    "fb": "Facebook",
    "ma": "Mail.Ru",
    "ok": "Odnoklassniki",
    "go": "Google",
    "ya": "Yandex",
    "av": "Avito",
    "ym": "Youla",
    "vi": "Viber",
    "wa": "WhatsApp",
    "tg": "Telegram",
    "we": "DrugVokrug",
    "ig": "Instagram",
    "wb": "WeChat",
    "mt": "Steam",
    "ub": "Uber",
    "mm": "Microsoft",
    "ot": "Any other",
}


def country_names(country: Country) -> dict[str, str]:
    """The country's name in every language of COUNTRY_LANGUAGES."""
    names = dict.fromkeys(COUNTRY_LANGUAGES, country.name)
    translated = _COUNTRY_NAMES.get(country.slug)
    if translated is not None:
        names.update(zip(_TRANSLATED, translated, strict=True))
    return names


def service_name(service: Service, lang: str | None) -> str:
    """Russian (`ru`): the service's title; any other language: its English name."""
    if (lang or "").strip().lower() in ("ru", "rus"):
        return service.title
    return _SERVICE_NAMES_EN.get(service.agent_code, service.title)
