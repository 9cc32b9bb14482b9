"""The cabinet's words in English and Russian. The language is the one the buyer chose with
the switch (a cookie), else the first of the browser's Accept-Language we speak."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from simgate.web.cookies import LANG_COOKIE

LANGUAGES = ("en", "ru")

WORDS: dict[str, tuple[str, str]] = {
    # key: (English, Russian)
    "app": ("simgate", "simgate"),
    "login": ("Log in", "Войти"),
    "logout": ("Log out", "Выйти"),
    "signup": ("Sign up", "Регистрация"),
    "username": ("Username", "Имя пользователя"),
    "password": ("Password", "Пароль"),
    "name": ("Name", "Имя"),
    "email": ("Email", "Эл. почта"),
    "create_account": ("Create account", "Создать аккаунт"),
    "no_account": ("No account yet?", "Ещё нет аккаунта?"),
    "have_account": ("Already registered?", "Уже зарегистрированы?"),
    "check_email": (
        "Account created. Open the link we sent to your email, then log in.",
        "Аккаунт создан. Откройте ссылку из письма, затем войдите.",
    ),
    "signed_up": ("Account created. You can log in now.", "Аккаунт создан. Теперь можно войти."),
    "dashboard": ("Numbers", "Номера"),
    "history": ("History", "История"),
    "ledger": ("Payments", "Платежи"),
    "keys": ("API keys", "API-ключи"),
    "balance": ("Balance", "Баланс"),
    "held": ("Held", "Заблокировано"),
    "rent_title": ("Rent a number", "Арендовать номер"),
    "service": ("Service", "Сервис"),
    "country": ("Country", "Страна"),
    "operator": ("Operator", "Оператор"),
    "any_operator": ("any", "любой"),
    "rent": ("Rent", "Арендовать"),
    "open_rentals": ("Open rentals", "Открытые аренды"),
    "no_rentals": ("No open rentals.", "Открытых аренд нет."),
    "number": ("Number", "Номер"),
    "price": ("Price", "Цена"),
    "time_left": ("Time left", "Осталось"),
    "waiting_sms": ("Waiting for SMS…", "Ждём SMS…"),
    "code": ("Code", "Код"),
    "copy": ("Copy", "Копировать"),
    "another_code": ("Another code", "Другой код"),
    "finish": ("Finish", "Завершить"),
    "cancel": ("Cancel", "Отменить"),
    "state": ("State", "Состояние"),
    "created": ("Created", "Создана"),
    "from": ("From", "С"),
    "until": ("Until", "По"),
    "all": ("all", "все"),
    "filter": ("Show", "Показать"),
    "older": ("Older", "Раньше"),
    "nothing": ("Nothing here yet.", "Здесь пока пусто."),
    "kind": ("Entry", "Операция"),
    "amount": ("Amount", "Сумма"),
    "reference": ("Reason", "Основание"),
    "when": ("When", "Когда"),
    "prefix": ("Key", "Ключ"),
    "create_key": ("Create key", "Создать ключ"),
    "revoke": ("Revoke", "Отозвать"),
    "new_key": (
        "Your new key (shown only once, copy it now):",
        "Новый ключ (показан один раз, скопируйте его сейчас):",
    ),
    "not_found": ("Not found.", "Не найдено."),
    "forbidden": ("The form has expired; reload the page.", "Форма устарела, обновите страницу."),
    "language": ("Language", "Язык"),
    # outcomes and refusals, by the domain's error code
    "LOGIN_FAILED": ("Wrong username or password.", "Неверное имя пользователя или пароль."),
    "ACCOUNT_NOT_ACTIVATED": (
        "Confirm your email address first.",
        "Сначала подтвердите адрес электронной почты.",
    ),
    "ACCOUNT_BLOCKED": ("This account is blocked.", "Аккаунт заблокирован."),
    "TOO_MANY_ATTEMPTS": (
        "Too many attempts; try later.",
        "Слишком много попыток, попробуйте позже.",
    ),
    "CONFIRMATION_UNAVAILABLE": (
        "Sign-up is closed on this server.",
        "Регистрация на этом сервере закрыта.",
    ),
    "INVALID_FIELDS": ("Check the marked fields.", "Проверьте отмеченные поля."),
    "NO_NUMBER": ("No free number right now; try again.", "Свободных номеров нет, попробуйте ещё."),
    "NO_SUPPLIERS": (
        "Suppliers did not answer; try again.",
        "Поставщики не ответили, попробуйте ещё.",
    ),
    "INSUFFICIENT_FUNDS": ("Not enough money on the balance.", "Недостаточно средств на балансе."),
    "TOO_MANY_OPEN": ("Too many open rentals.", "Слишком много открытых аренд."),
    "TOO_MANY_REQUESTS": (
        "Too many requests; wait a minute.",
        "Слишком много запросов, подождите.",
    ),
    "NO_SERVICE": ("Choose a service.", "Выберите сервис."),
    "UNKNOWN_COUNTRY": ("Unknown country.", "Неизвестная страна."),
    "UNKNOWN_OPERATOR": ("Unknown operator.", "Неизвестный оператор."),
    "CANNOT_COMPLETE": ("Not possible right now.", "Сейчас это невозможно."),
    "CODE_RECEIVED": (
        "A code has arrived: finish the rental instead.",
        "Код уже пришёл: завершите аренду.",
    ),
    "BAD_DATE": ("Dates look like 2026-11-30.", "Даты в виде 2026-11-30."),
    "rented": ("Number rented.", "Номер арендован."),
    # field problems
    "required": ("required", "обязательно"),
    "too_short": ("too short", "слишком короткий"),
    "too_long": ("too long", "слишком длинный"),
    "bad_email": ("not an email address", "не адрес почты"),
    "bad_username": ("letters, digits, . _ - only", "только буквы, цифры, . _ -"),
    "taken": ("already taken", "уже занято"),
    # activation states, by the domain's words
    "pending": ("pending", "ожидает"),
    "waiting": ("waiting", "ждёт SMS"),
    "answered": ("answered", "получен код"),
    "sold": ("finished", "завершена"),
    "refunded": ("refunded", "возврат"),
    # ledger entry kinds
    "deposit": ("deposit", "пополнение"),
    "hold": ("hold", "блокировка"),
    "capture": ("charge", "списание"),
    "release": ("release", "разблокировка"),
    "refund": ("refund", "возврат"),
}


def language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "en"


def translator(lang: str) -> Callable[[str], str]:
    index = LANGUAGES.index(lang) if lang in LANGUAGES else 0

    def word(key: str) -> str:
        found = WORDS.get(key)
        return found[index] if found else key

    return word


def _with_console_words() -> None:
    # The operator console keeps its words in its own module; one table serves both.
    from simgate.web.admin.words import ADMIN_WORDS

    WORDS.update(ADMIN_WORDS)


_with_console_words()
