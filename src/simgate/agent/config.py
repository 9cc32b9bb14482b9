"""Agent settings: `SIMGATE_AGENT_*` environment, an optional TOML file, and flags on top."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from simgate.agent.modem.forwarding import ForwardingOptions
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

    host: str = Field("127.0.0.1", description="Address the agent protocol is served on.")
    port: int = Field(
        8090, ge=0, le=validate.MAX_PORT, description="Port of the agent protocol; 0: any free."
    )
    paths: list[str] = Field(
        default_factory=lambda: ["/"], description="URL paths that answer the agent protocol."
    )
    key: str = Field(  # not blank: _key_not_blank
        max_length=256,
        description="Key the hub must send, and PUSH_SMS carries; required.",
    )
    currency: int = Field(643, description="ISO 4217 numeric currency of GET_SERVICES prices.")
    services: list[str] = Field(
        default_factory=lambda: list(SERVICE_CODES),
        description="Service codes offered in GET_SERVICES.",
    )
    max_body_bytes: int = Field(1 << 20, description="Largest request body accepted.")

    hub_url: str = Field(
        "", description="The hub's PUSH_SMS URL; empty: received SMS are kept, not pushed."
    )
    push_retry_seconds: float = Field(10.0, description="First retry of a failed PUSH_SMS.")
    push_timeout_seconds: float = Field(10.0, description="Deadline of one PUSH_SMS.")
    push_concurrency: int = Field(4, description="PUSH_SMS requests in flight at once.")
    user_agent: str = Field(
        "simgate-agent/0.1", description="User-Agent header of PUSH_SMS requests."
    )

    data_dir: Path = Field(
        default_factory=default_agent_data_dir, description="Folder of the agent's SQLite file."
    )
    activation_lifetime_seconds: int = Field(
        15 * 60, description="An activation the hub never finishes is closed after this long."
    )
    max_cancels: int = Field(
        4, description="Cancellations after which a number is no longer offered for a service."
    )
    tick_seconds: float = Field(0.2, description="How often background loops look at the clock.")
    sqlite_synchronous: str = Field(
        "FULL", description="SQLite PRAGMA synchronous of the agent's file."
    )

    simulate: int = Field(0, description="Simulated SIM cards to run (demos and tests).")
    sim_country: str = Field("russia", description="Country of the simulated SIMs.")
    sim_seed: int | None = Field(
        None,
        description=(
            "Seed of the simulated numbers and codes; unset: chosen at random the first time"
            " a data folder is used and kept in it, so two agents differ and a restart does not."
        ),
    )
    sim_sms_delay_seconds: float = Field(3.0, description="Seconds before a simulated SMS arrives.")
    sim_sms_count: int = Field(1, description="Simulated SMS per rental.")
    # The n-th SMS (from 0) arrives n intervals after the first: a buyer who asks for another
    # code gets a new one later, as from a real service.
    sim_sms_interval_seconds: float = Field(
        0.0, ge=0, description="Seconds between a rental's simulated SMS; 0: all at once."
    )
    sim_multipart: bool = Field(
        False, description="Simulated SMS arrive as multipart (concatenated) messages."
    )

    modems: list[str] = Field(
        default_factory=list, description="Serial ports of GSM modems (e.g. /dev/ttyUSB0)."
    )
    modem_baudrate: int = Field(115200, description="Serial speed of the modems.")
    modem_country: str = Field("russia", description="Country of the modems' SIMs.")
    modem_command_timeout_seconds: float = Field(5.0, description="Deadline of one AT command.")
    modem_poll_seconds: float = Field(
        30.0, description="How often stored SMS are read, beside new-SMS notices."
    )
    modem_health_seconds: float = Field(
        30.0, description="How often a modem's signal strength is read."
    )
    modem_backoff_initial_seconds: float = Field(
        1.0, description="First pause before reopening a failed modem; doubles."
    )
    modem_backoff_max_seconds: float = Field(
        60.0, description="Longest pause before reopening a failed modem."
    )
    sms_storage: str = Field("SM", description="Modem SMS storage (AT+CPMS): SM, ME or MT.")
    multipart_wait_hours: float = Field(
        24.0, description="How long the parts of an incomplete multipart SMS are kept."
    )
    sim_numbers: dict[str, int] = Field(
        default_factory=dict,
        description="IMSI or serial port → phone number, for SIMs whose AT+CNUM is empty.",
    )
    operator_names: dict[str, str] = Field(
        default_factory=dict,
        description="MCC-MNC → operator name, extending the built-in table.",
    )

    # Call forwarding on modems (simgate.agent.modem.forwarding): operator-specific.
    forward_reason: int = Field(
        ForwardingOptions.reason,
        description="27.007 forwarding reason: 0 unconditional, 4 all, 5 all conditional.",
    )
    forward_balance_ussd: str = Field(
        ForwardingOptions.balance_ussd, description="USSD code that asks for the SIM's balance."
    )
    forward_ussd_timeout_seconds: float = Field(
        ForwardingOptions.ussd_timeout_seconds,
        description="Wait for the balance USSD answer (below the hub's 15 s deadline).",
    )
    forward_minutes_pattern: str = Field(
        ForwardingOptions.minutes_pattern,
        description="Regex whose first group finds the minutes in the balance answer.",
    )
    forward_money_pattern: str = Field(
        ForwardingOptions.money_pattern,
        description="Regex whose first group finds the money in the balance answer.",
    )

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

    def forwarding_options(self) -> ForwardingOptions:
        """The `forward_*` settings as the modem driver takes them."""
        return ForwardingOptions(
            reason=self.forward_reason,
            balance_ussd=self.forward_balance_ussd,
            ussd_timeout_seconds=self.forward_ussd_timeout_seconds,
            minutes_pattern=self.forward_minutes_pattern,
            money_pattern=self.forward_money_pattern,
        )

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
