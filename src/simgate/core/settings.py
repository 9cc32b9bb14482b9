"""One settings object for the whole hub (SIMGATE_ prefix, optional TOML config file)."""

from __future__ import annotations

import difflib
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from simgate.core.errors import InvalidInput

# The tables of one shared config file; each program reads its own and leaves the other's.
CONFIG_TABLES = ("simgate", "agent")


class UnknownSetting(InvalidInput):
    """A config file names a setting that does not exist (a typo would otherwise be ignored)."""

    code = "UNKNOWN_SETTING"


class TomlFileSource(PydanticBaseSettingsSource):
    """Settings from a TOML file, flat or under a `[table]` (e.g. [simgate], [agent]).

    A key that names no setting is an UnknownSetting error naming it."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None, table: str) -> None:
        super().__init__(settings_cls)
        self._data: dict[str, Any] = {}
        if path is not None:
            with path.open("rb") as fh:
                try:
                    raw = tomllib.load(fh)
                except tomllib.TOMLDecodeError as exc:
                    raise InvalidInput(f"{path} is not valid TOML: {exc}") from exc
            if table in raw:
                self._data = dict(raw[table])
            else:
                others = [t for t in CONFIG_TABLES if isinstance(raw.get(t), dict)]
                self._data = {k: v for k, v in raw.items() if k not in others}
            _refuse_unknown(self._data, settings_cls, path, table)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._data)


def _refuse_unknown(
    data: dict[str, Any], settings_cls: type[BaseSettings], path: Path, table: str
) -> None:
    known = settings_cls.model_fields
    for key in data:
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise UnknownSetting(f"{path}: unknown {table} setting {key!r}{hint}")


def default_data_dir() -> Path:
    return Path.cwd() / "simgate-data"


class Settings(BaseSettings):
    """The hub's settings: `SIMGATE_<NAME>` environment variables, then the TOML file named
    by SIMGATE_CONFIG (flat, or under a [simgate] table). Each description below is what
    `simgate config reference` writes into docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="SIMGATE_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder of the SQLite database and the key secret file.",
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy URL (sqlite+aiosqlite:///… or postgresql+asyncpg://…); "
        "empty: simgate.db in data_dir.",
    )
    # It never goes in the database; see simgate.accounts.key_secret.
    key_secret: SecretStr | None = Field(
        None,
        description="Secret API keys are derived from; unset: a file in data_dir, made on "
        "first start.",
    )
    host: str = Field("127.0.0.1", description="Address `simgate serve` binds.")
    port: int = Field(8080, description="Port `simgate serve` listens on.")
    public_url: str = Field(
        "",
        description="The hub's URL as buyers reach it, for links in emails; unset: "
        "registration with email confirmation is refused.",
    )
    max_body_bytes: int = Field(
        1 << 20,
        description="Largest request body on any route; read as a stream and refused past it.",
    )
    workers: int = Field(
        0,
        description="`simgate serve` processes sharing the port; 0 (the default): one per "
        "core. Each process hears the others' commits (PostgreSQL LISTEN/NOTIFY, SQLite "
        "PRAGMA data_version), so what it answers from memory stays exact.",
    )
    database_pool_size: int = Field(
        32,
        description="PostgreSQL connections each process keeps open; a request past that "
        "waits for one rather than opening one to throw away.",
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description='"json": one JSON object per log line (for a log shipper); "text": for a '
        "person.",
    )

    currency: int = Field(643, description="ISO 4217 numeric code of the hub's one currency.")
    currency_exponent: int = Field(
        2, description="Decimals of that currency: amounts are integer minor units."
    )

    activation_lifetime_seconds: int = Field(
        15 * 60, description="How long an online rental waits for its SMS."
    )
    deferred_lifetime_seconds: int = Field(
        60 * 60, description="How long a deferred rental waits for its SMS."
    )
    deferred_hours: str = Field(
        "0-24", description="Hours (UTC, from-to) when deferred rentals are accepted."
    )
    repeat_window_days: int = Field(
        30, description="How long a number can be rented again by the buyer who had it."
    )
    getnum_inflight_seconds: int = Field(
        30, description="An online number request older than this was interrupted."
    )

    agent_timeout_seconds: float = Field(
        3.0, description="Deadline of a call to an agent (GET_NUMBER, FINISH_ACTIVATION)."
    )
    stock_poll_seconds: float = Field(
        15.0, description="How often each agent's stock is read (GET_SERVICES)."
    )
    outbox_retry_seconds: float = Field(
        10.0, description="First retry of an agent call that failed (FINISH_ACTIVATION)."
    )
    worker_tick_seconds: float = Field(1.0, description="How often the worker looks for jobs.")
    user_agent: str = Field(
        "simgate-hub/0.1", description="User-Agent header of the hub's calls to agents."
    )

    auth_cache_seconds: float = Field(
        2.0, description="How long a process trusts its memory of an API key."
    )
    state_cache_seconds: float = Field(
        1.0,
        description="getState answers from memory (and, with the API-key memory on, whole "
        "answers to a repeated getState, getBalance or getStatus), dropped at once by any "
        "commit that changes the account in any process; kept at most this long, so rentals "
        "that leave the recent list with time alone leave it within this time. 0: no memory.",
    )
    read_cache_seconds: float = Field(
        30.0,
        description="Balances and catalogue listings answer from memory, dropped at once by "
        "any commit that changes them in any process; this only bounds a change made "
        "directly in the database, behind simgate's back. 0: no memory.",
    )
    default_max_concurrent: int = Field(
        20, description="Open activations a new account may have at once."
    )
    default_max_getnum_per_minute: int = Field(
        60, description="getNum requests a new account may make per minute."
    )
    default_max_parallel_getnum: int = Field(
        5, description="getNum requests a new account may have in flight at once."
    )

    delivery_enabled: bool = Field(
        True, description="False: every delivery-api method answers error 000."
    )
    smsc_host: str = Field(
        "",
        description="SMSC for outbound SMS (SMPP 3.4); empty: messages are logged and "
        "marked delivered.",
    )
    smsc_port: int = Field(2775, description="SMSC port.")
    smsc_system_id: str = Field("", description="SMPP system_id (login) at the SMSC.")
    smsc_password: str = Field("", description="SMPP password at the SMSC.")
    smsc_system_type: str = Field("", description="SMPP system_type, if the SMSC wants one.")
    smsc_throughput_per_second: float = Field(
        50.0, description="submit_sm per second (SMSCs enforce a limit)."
    )
    smsc_window: int = Field(10, description="submit_sm awaiting their response at once.")
    smsc_connect_timeout_seconds: float = Field(
        10.0, description="Deadline to connect and bind to the SMSC."
    )
    smsc_submit_timeout_seconds: float = Field(
        30.0, description="Deadline of one submit_sm's response."
    )
    smsc_reconnect_max_seconds: float = Field(
        30.0, description="Longest pause between reconnection attempts."
    )
    sms_part_price: str = Field(
        "0.50", description="Price of one outbound SMS part, in the hub currency."
    )
    sms_max_parts: int = Field(10, description="Most parts one outbound message may take.")
    sms_forbidden_words: list[str] = Field(
        default_factory=list, description="Outbound messages containing any of these are refused."
    )
    delivery_signature_window_seconds: int = Field(
        60, description="How old a delivery-api request's signed timestamp may be."
    )
    delivery_claim_seconds: float = Field(
        30.0, description="A worker's lease on a message it is submitting."
    )
    delivery_retry_seconds: float = Field(
        5.0, description="First retry delay after a transient delivery failure."
    )
    delivery_max_attempts: int = Field(10, description="Submissions of one message at most.")
    delivery_message_ttl_seconds: int = Field(
        24 * 3600, description="A message not accepted by then is failed and refunded."
    )
    delivery_poll_seconds: float = Field(
        0.2, description="How often the delivery queue is looked at."
    )

    email_confirmation: bool = Field(
        True, description="False: a registered account may log in at once."
    )
    email_confirmation_ttl_seconds: int = Field(
        24 * 3600, description="How long a confirmation link works."
    )
    smtp_host: str = Field(
        "", description="SMTP server for emails; empty: emails wait in their outbox."
    )
    smtp_port: int = Field(25, description="SMTP port.")
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        "none", description="SMTP encryption: none, starttls or tls."
    )
    smtp_username: str = Field("", description="SMTP AUTH user; empty: no SMTP AUTH.")
    smtp_password: str = Field("", description="SMTP AUTH password.")
    smtp_sender: str = Field(
        "simgate <noreply@localhost>", description="From address of the hub's emails."
    )
    smtp_timeout_seconds: float = Field(10.0, description="Deadline of one SMTP session.")
    smtp_retry_seconds: float = Field(
        30.0, description="First retry of a failed email; doubles up to an hour."
    )
    register_attempts_per_window: int = Field(
        5, description="Registrations per client address, username and email per window."
    )
    register_window_seconds: int = Field(3600, description="The registration window.")
    login_attempts_per_window: int = Field(
        10, description="Logins per address and per username per window (the argon2 budget)."
    )
    login_window_seconds: int = Field(300, description="The login window.")
    login_keys_kept: int = Field(
        5, description="API keys issued by login that stay valid (older ones are revoked)."
    )
    web_session_seconds: int = Field(
        7 * 24 * 3600, description="How long a web cabinet login lasts."
    )
    argon2_time_cost: int = Field(3, description="argon2 password hashing: iterations.")
    argon2_memory_kib: int = Field(64 * 1024, description="argon2 password hashing: memory.")
    argon2_parallelism: int = Field(4, description="argon2 password hashing: lanes.")
    rsa_key_bits: int = Field(2048, description="Size of the RSA key pair behind /api/public.pem.")
    rsa_grace_seconds: int = Field(
        7 * 24 * 3600, description="A rotated-out RSA key still decrypts this long."
    )

    forward_minute_price: str = Field(
        "2.00", description="Price of one minute of forwarded calls, in the hub currency."
    )
    forward_top_up_minutes: int = Field(10, description="Minutes bought by one automatic top-up.")
    # Caps on the automatic top-ups of one forwarding (a buyer's max_minutes can only lower
    # them), so an agent reporting 0 minutes forever cannot drain a balance.
    forward_max_minutes_default: int = Field(
        100, description="Most minutes automatic top-ups buy for one forwarding; 0: no cap."
    )
    forward_max_spend_default: int = Field(
        20_000,
        description="Most money (minor units) automatic top-ups spend on one forwarding; "
        "0: no cap.",
    )
    forward_poll_seconds: float = Field(
        60.0, description="How often a forwarding's minute balance is read."
    )
    forward_agent_timeout_seconds: float = Field(
        15.0,
        description="Deadline of a forwarding call to an agent (AT+CCFC waits on the network).",
    )
    forward_retry_seconds: float = Field(
        10.0, description="First retry of a top-up or cancel the agent missed."
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'simgate.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = os.environ.get("SIMGATE_CONFIG")  # the one place the environment is read raw
        path = Path(config) if config else None
        return (init_settings, env_settings, TomlFileSource(settings_cls, path, "simgate"))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
