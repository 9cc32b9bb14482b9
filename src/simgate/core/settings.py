"""One settings object for the whole hub (SIMGATE_ prefix, optional TOML config file)."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


class TomlFileSource(PydanticBaseSettingsSource):
    """Settings from a TOML file, flat or under a `[table]` (e.g. [simgate], [agent])."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None, table: str) -> None:
        super().__init__(settings_cls)
        self._data: dict[str, Any] = {}
        if path is not None:
            with path.open("rb") as fh:
                raw = tomllib.load(fh)
            self._data = dict(raw.get(table, raw))

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


def default_data_dir() -> Path:
    return Path.cwd() / "simgate-data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIMGATE_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    # API keys are derived from this secret (unset: a file in data_dir, made on first start);
    # see simgate.accounts.key_secret. It never goes in the database.
    key_secret: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""  # links in emails; unset: registration with confirmation is refused
    # every request body, on every route; read in a stream and refused past this size
    max_body_bytes: int = 1 << 20
    # `simgate serve` processes sharing the port; 0: one per core. One by default: the
    # getState and API-key caches are exact within a process, and a commit in one process is
    # not yet announced to the others (they would serve it up to the caches' TTL late).
    workers: int = 1
    # PostgreSQL connections each process keeps open, sized to the requests it serves at once:
    # a request past that waits for a connection rather than opening one to throw away.
    database_pool_size: int = 32
    # "json": one JSON object per log line (for a log shipper); "text": for a person
    log_format: Literal["text", "json"] = "text"

    # money: the hub keeps one currency; amounts are integer minor units.
    currency: int = 643
    currency_exponent: int = 2

    # activations
    activation_lifetime_seconds: int = 15 * 60
    deferred_lifetime_seconds: int = 60 * 60
    deferred_hours: str = "0-24"  # local hours (UTC) when deferred reception is accepted
    repeat_window_days: int = 30
    getnum_inflight_seconds: int = 30  # an online request older than this was interrupted

    # supplier (agent) calls
    agent_timeout_seconds: float = 3.0
    stock_poll_seconds: float = 15.0
    outbox_retry_seconds: float = 10.0
    worker_tick_seconds: float = 1.0
    user_agent: str = "simgate-hub/0.1"

    # accounts
    auth_cache_seconds: float = 2.0  # how long a process trusts its memory of an API key
    # getState answers from memory; changes made by another process show within this time
    state_cache_seconds: float = 1.0
    default_max_concurrent: int = 20
    default_max_getnum_per_minute: int = 60
    default_max_parallel_getnum: int = 5

    # --- outbound SMS (delivery-api, SMPP) ---
    delivery_enabled: bool = True  # False: every delivery-api method answers error 000
    smsc_host: str = ""  # empty: the log transport (messages are logged and marked delivered)
    smsc_port: int = 2775
    smsc_system_id: str = ""
    smsc_password: str = ""
    smsc_system_type: str = ""
    smsc_throughput_per_second: float = 50.0  # submit_sm per second (SMSCs enforce a limit)
    smsc_window: int = 10  # submit_sm awaiting their resp at once
    smsc_connect_timeout_seconds: float = 10.0
    smsc_submit_timeout_seconds: float = 30.0
    smsc_reconnect_max_seconds: float = 30.0
    sms_part_price: str = "0.50"  # per SMS part, in the hub currency (parsed by money)
    sms_max_parts: int = 10
    sms_forbidden_words: list[str] = Field(default_factory=list)
    delivery_signature_window_seconds: int = 60
    delivery_claim_seconds: float = 30.0  # a worker's lease on a message it is submitting
    delivery_retry_seconds: float = 5.0  # first retry delay after a transient failure
    delivery_max_attempts: int = 10
    delivery_message_ttl_seconds: int = 24 * 3600  # never accepted by then: failed, refunded
    delivery_poll_seconds: float = 0.2

    # --- registration, login, email, forwarding ---
    email_confirmation: bool = True  # False: a registered account may log in at once
    email_confirmation_ttl_seconds: int = 24 * 3600  # a confirmation link works this long
    smtp_host: str = ""  # empty: confirmation emails wait in their outbox until it is set
    smtp_port: int = 25
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str = ""  # empty: no SMTP AUTH
    smtp_password: str = ""
    smtp_sender: str = "simgate <noreply@localhost>"
    smtp_timeout_seconds: float = 10.0
    smtp_retry_seconds: float = 30.0  # first retry of a failed email; doubles up to an hour
    register_attempts_per_window: int = 5  # per client address, username and email
    register_window_seconds: int = 3600
    login_attempts_per_window: int = 10  # per address and per username: the argon2 budget
    login_window_seconds: int = 300
    login_keys_kept: int = 5  # API keys issued by login that stay valid (older ones revoked)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4
    rsa_key_bits: int = 2048
    rsa_grace_seconds: int = 7 * 24 * 3600  # a rotated-out key still decrypts this long
    # forwarding
    forward_minute_price: str = "2.00"  # per minute of forwarded calls, hub currency
    forward_top_up_minutes: int = 10  # minutes bought by one automatic top-up
    # Caps on the automatic top-ups of one forwarding (a buyer's max_minutes can only lower
    # them), so an agent reporting 0 minutes forever cannot drain a balance. 0 = no cap.
    forward_max_minutes_default: int = 100
    forward_max_spend_default: int = 20_000  # minor units
    forward_poll_seconds: float = 60.0  # how often a forwarding's minute balance is read
    forward_agent_timeout_seconds: float = 15.0  # AT+CCFC waits on the network: above 3 s
    forward_retry_seconds: float = 10.0  # first retry of a top-up or cancel the agent missed

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
