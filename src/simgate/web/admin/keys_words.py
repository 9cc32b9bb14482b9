"""The words of the console's dev keys, RSA key and delivery queue pages, in English and
Russian (merged into the cabinet's table by i18n, as words.py is)."""

from __future__ import annotations

KEYS_WORDS: dict[str, tuple[str, str]] = {
    "devkeys": ("Dev keys", "Ключи разработчика"),
    "devkeys_help": (
        "Register and login through the API ask for a dev key. Only its first characters are "
        "stored in clear.",
        "Регистрация и вход через API требуют ключ разработчика. В открытом виде хранятся "
        "только его первые символы.",
    ),
    "new_dev_key": (
        "The new dev key, shown only this once:",
        "Новый ключ разработчика, показан только сейчас:",
    ),
    "note": ("Note", "Заметка"),
    "devkey_note": ("Who the key is for", "Для кого ключ"),
    "issue_dev_key": ("Issue dev key", "Выдать ключ"),
    "revoked": ("Revoked", "Отозван"),
    "DEV_KEY_NOT_FOUND": ("No such unrevoked dev key.", "Нет такого действующего ключа."),
    "rsa": ("RSA key", "Ключ RSA"),
    "rsa_help": (
        "Clients encrypt passwords with the published public key. After a rotation the old "
        "key still decrypts for its grace period.",
        "Клиенты шифруют пароли опубликованным открытым ключом. После замены старый ключ "
        "ещё расшифровывает в течение льготного срока.",
    ),
    "fingerprint": ("SHA-256 fingerprint", "Отпечаток SHA-256"),
    "rsa_published": ("published", "опубликован"),
    "rsa_grace_until": ("decrypts until", "расшифровывает до"),
    "rsa_none": (
        "No key yet: the first one is made when /api/public.pem is asked for.",
        "Ключа ещё нет: первый создаётся при запросе /api/public.pem.",
    ),
    "rotate": ("Rotate", "Заменить"),
    "queue": ("Delivery queue", "Очередь отправки"),
    "all_states": ("all", "все"),
    "queue_queued": ("queued", "в очереди"),
    "queue_in_flight": ("in flight", "отправляется"),
    "queue_sent": ("sent", "отправлено"),
    "queue_failed": ("failed", "ошибка"),
    "show": ("Show", "Показать"),
    "attempts": ("Attempts", "Попытки"),
    "cancel_message": ("Cancel", "Отменить"),
    "NOT_CANCELLABLE": (
        "Only a queued message that is not being sent right now can be cancelled.",
        "Отменить можно только сообщение в очереди, которое не отправляется прямо сейчас.",
    ),
}
