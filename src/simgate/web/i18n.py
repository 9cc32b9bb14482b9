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
    # deferred reception
    "deferred": ("deferred", "отложенный"),
    "deferred_help": (
        "No number is free now. Wait for one: the price is held, and a number comes when an "
        "agent has one (cancel any time before, refunded).",
        "Свободных номеров сейчас нет. Можно подождать: цена блокируется, номер придёт, когда "
        "он появится у агента (до этого можно отменить с возвратом).",
    ),
    "wait_for_number": ("Wait for a number", "Ждать номер"),
    "deferred_queued": (
        "Request queued: the number shows here when one is free.",
        "Запрос в очереди: номер появится здесь, когда освободится.",
    ),
    "DUPLICATE_REQUEST": (
        "The same request is already waiting.",
        "Такой запрос уже ждёт номер.",
    ),
    "DEFERRED_CLOSED": (
        "Waiting for a number is not offered at this hour.",
        "В этот час ожидание номера недоступно.",
    ),
    # outbound SMS
    "delivery": ("Sending SMS", "Отправка SMS"),
    "signing": ("Signing key", "Ключ подписи"),
    "signing_help": (
        "Requests to the delivery-api are signed with one of your API keys, or with a separate "
        "signing secret that works for the delivery-api only.",
        "Запросы к delivery-api подписываются одним из ваших API-ключей или отдельным секретом "
        "подписи, который действует только для delivery-api.",
    ),
    "sent_sms": ("Sent SMS", "Отправленные SMS"),
    "new_secret": (
        "Your new signing secret (shown only once, copy it now; the old one no longer signs):",
        "Новый секрет подписи (показан один раз, скопируйте его сейчас; старый больше не "
        "действует):",
    ),
    "secret_since": (
        "Separate signing secret in use since",
        "Отдельный секрет подписи действует с",
    ),
    "no_secret": ("No separate signing secret.", "Отдельного секрета подписи нет."),
    "make_secret": ("Make a signing secret", "Создать секрет подписи"),
    "rotate_secret": ("Replace the signing secret", "Заменить секрет подписи"),
    "senders": ("Sender names", "Имена отправителя"),
    "sender_name": ("Sender", "Отправитель"),
    "sender_help": (
        "Up to 11 letters and digits, or up to 15 digits.",
        "До 11 букв и цифр или до 15 цифр.",
    ),
    "requested": ("Requested", "Запрошено"),
    "request_sender": ("Request the name", "Запросить имя"),
    "sender_moderation": ("awaiting approval", "на проверке"),
    "sender_completed": ("approved", "одобрено"),
    "sender_rejected": ("rejected", "отклонено"),
    "sender_requested": (
        "Name requested: an operator will review it.",
        "Имя запрошено: его проверит оператор.",
    ),
    "templates": ("Templates", "Шаблоны"),
    "template_name": ("Template name", "Название шаблона"),
    "text": ("Text", "Текст"),
    "add_template": ("Add template", "Добавить шаблон"),
    "template_added": ("Template added.", "Шаблон добавлен."),
    "sms_to": ("SMS to", "SMS на"),
    "sms_queued": ("queued", "в очереди"),
    "sms_submitted": ("sent", "отправлено"),
    "sms_delivered": ("delivered", "доставлено"),
    "sms_undelivered": ("not delivered", "не доставлено"),
    "sms_failed": ("failed", "ошибка"),
    "finished_at": ("Finished", "Завершено"),
    "parts": ("Parts", "Частей"),
    "message_id": ("Message id", "Номер сообщения"),
    "MISSING_SENDER": ("Enter a sender name.", "Введите имя отправителя."),
    "MISSING_NAME": ("Enter a template name.", "Введите название шаблона."),
    "MISSING_TEXT": ("Enter the text.", "Введите текст."),
    "BAD_SENDER_NAME": (
        "A sender is up to 11 letters and digits (with a letter), or up to 15 digits.",
        "Отправитель: до 11 букв и цифр (хотя бы одна буква) или до 15 цифр.",
    ),
    "TEMPLATE_EXISTS": ("A template of that name exists.", "Шаблон с таким названием уже есть."),
    "remove_template": ("Remove", "Удалить"),
    "template_removed": ("Template removed.", "Шаблон удалён."),
    "console_link": ("Console", "Консоль"),
    # call forwarding
    "forwardings": ("Forwarding", "Переадресация"),
    "forwardings_help": (
        "Calls to a rented number forwarded to yours; ask for it when renting through the API "
        "(getNum forward_number).",
        "Звонки на арендованный номер переадресуются на ваш; она заказывается при аренде "
        "через API (getNum forward_number).",
    ),
    "forwarding_of": ("Forwarding of", "Переадресация с"),
    "forward_to": ("Forward to", "Куда"),
    "minutes_left": ("Minutes left", "Осталось минут"),
    "pages": ("Pages", "Страницы"),
    "newer": ("Newer", "Новее"),
    "fw_pending": ("awaiting confirmation", "ждёт подтверждения"),
    "fw_active": ("active", "действует"),
    "fw_blocked": ("blocked", "заблокирована"),
    "fw_finished": ("finished", "завершена"),
    "fw_replacing": ("changing number", "меняется номер"),
    "forward_confirm": ("Confirm it works", "Подтвердить"),
    "forward_remove": ("Remove", "Удалить"),
    "settings": ("Settings", "Настройки"),
    "top_up_below": (
        "Top up when minutes fall below (0: never)",
        "Пополнять, когда минут меньше (0: никогда)",
    ),
    "max_minutes": ("Most minutes to buy (0: the limit)", "Не больше минут (0: по лимиту)"),
    "auto_extend": (
        "Keep it after the rental ends",
        "Сохранять после окончания аренды",
    ),
    "save": ("Save", "Сохранить"),
    "payments": ("Minute top-ups", "Пополнения минут"),
    "minutes": ("Minutes", "Минуты"),
    "pay_1": ("created", "создано"),
    "pay_2": ("sent for payment", "отправлено"),
    "pay_3": ("credited", "зачислено"),
    "forward_saved": ("Saved.", "Сохранено."),
    "forward_confirmed": ("Forwarding confirmed.", "Переадресация подтверждена."),
    "forward_removed": ("Forwarding removed.", "Переадресация удалена."),
    "FORWARD_NOT_CONFIRMED": (
        "The agent has not confirmed the forwarding yet; try again.",
        "Агент ещё не подтвердил переадресацию, попробуйте ещё раз.",
    ),
    "FORWARD_FINISHED": ("This forwarding was removed.", "Эта переадресация удалена."),
    "FORWARD_NUMBER_LENGTH": (
        "A number to forward to has 10 digits (or 11 with 7 or 8).",
        "Номер для переадресации: 10 цифр (или 11 с 7 или 8).",
    ),
    "FORWARD_MINUTES": (
        "Minutes: 0 to 50 for the top-up threshold, 0 or more for the limit.",
        "Минуты: от 0 до 50 для порога, 0 или больше для лимита.",
    ),
    "FORWARD_UNSUPPORTED": (
        "The agent cannot forward this number.",
        "Агент не может переадресовать этот номер.",
    ),
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
    from simgate.web.admin.keys_words import KEYS_WORDS
    from simgate.web.admin.words import ADMIN_WORDS

    WORDS.update(ADMIN_WORDS)
    WORDS.update(KEYS_WORDS)


_with_console_words()
