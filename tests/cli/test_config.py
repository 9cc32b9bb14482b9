"""`simgate config …` / `simgate agent config show`: effective settings with secrets masked,
config files that name unknown settings refused, and docs/settings.md kept current."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from simgate.agent.config import AgentConfig
from simgate.cli.config import reference, shown_value
from simgate.cli.main import app
from simgate.core.settings import Settings, get_settings

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """get_settings() is cached per process; each test reads the environment it sets."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def squeezed(result: Result) -> str:
    """The output without table borders and spaces, so a value folded over lines reads whole."""
    return re.sub(r"[\s│┃|]", "", result.stdout)


def test_config_show_masks_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMGATE_DATABASE_URL", "postgresql+asyncpg://simgate:dbpw1234@db/simgate")
    monkeypatch.setenv("SIMGATE_SMTP_PASSWORD", "smtppw5678")
    monkeypatch.setenv("SIMGATE_KEY_SECRET", "keysecret9")
    monkeypatch.setenv("SIMGATE_SMSC_PASSWORD", "smscpw")
    monkeypatch.setenv("SIMGATE_PORT", "8181")
    result = runner.invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output
    text = squeezed(result)
    for secret in ("dbpw1234", "smtppw5678", "keysecret9", "smscpw"):
        assert secret not in text
    assert "postgresql+asyncpg://simgate:********@db/simgate" in text
    assert "port8181" in text and "rsa_key_bits2048" in text


def test_values_are_masked_by_name_and_inside_urls() -> None:
    assert shown_value("smtp_password", "x") == "********"
    assert shown_value("smtp_password", "") == ""
    assert shown_value("key", "abc") == "********"
    assert shown_value("hub_url", "https://u:p@hub/push") == "https://u:********@hub/push"
    assert shown_value("hub_url", "https://hub/push") == "https://hub/push"
    assert shown_value("rsa_key_bits", 2048) == "2048"
    assert shown_value("login_keys_kept", 5) == "5"


def test_agent_config_show_reads_the_file_and_masks(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(
        '[agent]\nkey = "agentkey42"\nhub_url = "http://hub:pushpw@hub.example/push"\n'
        "forward_reason = 5\n"
    )
    result = runner.invoke(app, ["agent", "config", "show", "--config", str(config)])
    assert result.exit_code == 0, result.output
    text = squeezed(result)
    assert "agentkey42" not in text and "pushpw" not in text
    assert "key********" in text and "forward_reason5" in text


def test_agent_config_show_without_a_key(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text("port = 9000\n")
    result = runner.invoke(app, ["agent", "config", "show", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "key(unset)" in squeezed(result) and "port9000" in squeezed(result)


def refused(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_hub_config_file_with_an_unknown_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "simgate.toml"
    config.write_text("[simgate]\nprot = 8081\n\n[agent]\nkey = 'k'\n")
    monkeypatch.setenv("SIMGATE_CONFIG", str(config))
    line = refused(runner.invoke(app, ["config", "show"]))
    assert "'prot'" in line and "did you mean 'port'" in line
    config.write_text("[simgate]\nport = 8081\n\n[agent]\nanything = 'is the agent’s'\n")
    get_settings.cache_clear()
    assert Settings().port == 8081


def test_flat_files_are_checked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "simgate.toml"
    config.write_text("port = 8082\nsmtp_hots = 'mail'\n")
    monkeypatch.setenv("SIMGATE_CONFIG", str(config))
    assert "'smtp_hots'" in refused(runner.invoke(app, ["config", "show"]))


def test_agent_config_file_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('[agent]\nkey = "k"\nforward_reasn = 4\n\n[simgate]\nport = 1\n')
    show = ["agent", "config", "show", "--config", str(config)]
    assert "'forward_reasn'" in refused(runner.invoke(app, show))
    serve = ["agent", "serve", "--config", str(config), "--data-dir", str(tmp_path)]
    assert "'forward_reasn'" in refused(runner.invoke(app, serve))
    config.write_text('key = "k"\nforward_reason = 4\n\n[simgate]\nport = 1\n')
    assert AgentConfig.load(config).forwarding_options().reason == 4


def test_every_setting_is_described() -> None:
    for cls in (Settings, AgentConfig):
        missing = [name for name, field in cls.model_fields.items() if not field.description]
        assert missing == [], f"{cls.__name__}: {missing}"


def test_docs_settings_md_is_current() -> None:
    committed = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert committed == reference(), "run: simgate config reference > docs/settings.md"
    printed = runner.invoke(app, ["config", "reference"])
    assert printed.exit_code == 0 and printed.stdout == committed
    for name in (*Settings.model_fields, *AgentConfig.model_fields):
        assert f"`{name}`" in committed
