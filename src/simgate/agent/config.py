"""Agent settings: `SIMGATE_AGENT_*` environment, an optional TOML file, and flags on top."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from simgate.agent.services import SERVICE_CODES
from simgate.core import validate
from simgate.core.errors import InvalidInput
from simgate.core.money import AGENT_CURRENCY_EXPONENT
from simgate.core.settings import TomlFileSource

# The TOML file is chosen per load() call; a context variable carries it into the source
# without making it a settings field that the environment could also set.
_config_file: ContextVar[Path | None] = ContextVar("simgate_agent_config_file", default=None)


def default_agent_data_dir() -> Path:
    return Path.cwd() / "simgate-agent-data"


class AgentConfig(BaseSettings):
    """Everything the reference agent needs; defaults suit a demo on one machine."""

    model_config = SettingsConfigDict(env_prefix="SIMGATE_AGENT_", extra="ignore")

    # protocol server
    host: str = "127.0.0.1"
    port: int = Field(8090, ge=0, le=validate.MAX_PORT)  # 0 picks a free port
    paths: list[str] = Field(default_factory=lambda: ["/"])
    key: str = Field(max_length=256)  # not blank: _key_not_blank
    currency: int = 643
    services: list[str] = Field(default_factory=lambda: list(SERVICE_CODES))
    max_body_bytes: int = 1 << 20

    # PUSH_SMS to the hub
    hub_url: str = ""
    push_retry_seconds: float = 10.0
    push_timeout_seconds: float = 10.0
    push_concurrency: int = 4
    user_agent: str = "simgate-agent/0.1"

    # storage and timing
    data_dir: Path = Field(default_factory=default_agent_data_dir)
    activation_lifetime_seconds: int = 15 * 60
    max_cancels: int = 4
    tick_seconds: float = 0.2  # how often background loops look at the clock
    sqlite_synchronous: str = "FULL"

    # simulated pool
    simulate: int = 0
    sim_country: str = "russia"
    sim_seed: int = 1
    sim_sms_delay_seconds: float = 3.0
    sim_sms_count: int = 1
    # The n-th SMS (from 0) arrives n intervals after the first: a buyer who asks for another
    # code gets a new one later, as from a real service. 0 sends them all at once.
    sim_sms_interval_seconds: float = Field(0.0, ge=0)
    sim_multipart: bool = False

    # real modems
    modems: list[str] = Field(default_factory=list)
    modem_baudrate: int = 115200
    modem_country: str = "russia"
    modem_command_timeout_seconds: float = 5.0
    modem_poll_seconds: float = 30.0
    modem_health_seconds: float = 30.0
    modem_backoff_initial_seconds: float = 1.0
    modem_backoff_max_seconds: float = 60.0
    sms_storage: str = "SM"
    multipart_wait_hours: float = 24.0
    # IMSI or serial port → phone number, for SIMs whose AT+CNUM is empty
    sim_numbers: dict[str, int] = Field(default_factory=dict)
    # MCC-MNC → operator name, extending the built-in table
    operator_names: dict[str, str] = Field(default_factory=dict)

    @field_validator("key")
    @classmethod
    def _key_not_blank(cls, key: str) -> str:
        # An empty key would let anyone who can reach the port rent and finish numbers.
        if not key.strip():
            raise ValueError("the agent key is empty; set --key or SIMGATE_AGENT_KEY")
        return key

    @field_validator("hub_url")
    @classmethod
    def _hub_url(cls, value: str) -> str:
        if value:
            try:
                validate.http_url(value, "hub URL")
            except InvalidInput as exc:
                raise ValueError(str(exc)) from exc
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: int) -> int:
        if value not in AGENT_CURRENCY_EXPONENT:
            raise ValueError(f"must be one of {', '.join(map(str, AGENT_CURRENCY_EXPONENT))}")
        return value

    @property
    def database_path(self) -> Path:
        return self.data_dir / "agent.db"

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> AgentConfig:
        """Build from environment and TOML file; non-None keyword overrides (flags) win."""
        flags = {k: v for k, v in overrides.items() if v is not None}
        token = _config_file.set(config_file)
        try:
            return cls(**flags)
        finally:
            _config_file.reset(token)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlFileSource(settings_cls, _config_file.get(), "agent"),
        )
