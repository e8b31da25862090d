"""Settings: safe defaults, environment overrides, clear errors."""

from __future__ import annotations

import pytest

from bot.settings import Settings


def test_defaults_are_local_and_private(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "RASA_API_TOKEN", "RASA_PORT", "MEND_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.database_url.startswith("sqlite:///") and settings.is_sqlite
    assert settings.database_url.endswith("var/mend.db")
    assert settings.redis_url is None
    assert settings.rasa_api_token is None  # Rasa's HTTP API stays off
    assert (settings.rasa_port, settings.action_port, settings.web_port) == (5005, 5055, 8000)


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.internal/mend")
    monkeypatch.setenv("MEND_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("WEB_ALLOWED_ORIGINS", "https://mendpt.example, https://www.mendpt.example")
    settings = Settings.from_env()
    assert settings.database_url == "postgresql://db.internal/mend" and not settings.is_sqlite
    assert settings.data_dir == tmp_path
    assert settings.web_allowed_origins == ["https://mendpt.example", "https://www.mendpt.example"]


def test_a_bad_number_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_PORT", "fifty")
    with pytest.raises(ValueError, match="RASA_PORT must be a whole number"):
        Settings.from_env()


def test_servers_run_with_telemetry_off_and_api_only_behind_a_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import cli
    from bot.settings import get_settings

    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    get_settings.cache_clear()
    assert "--enable-api" not in cli.rasa_command()
    assert cli._apply_process_env()["RASA_TELEMETRY_ENABLED"] == "false"
    monkeypatch.delenv("ACTION_HOST", raising=False)
    assert (
        cli._apply_process_env("actions")["SANIC_HOST"] == "127.0.0.1"
    )  # not reachable from outside
    monkeypatch.setenv("RASA_API_TOKEN", "s3cret")
    get_settings.cache_clear()
    command = cli.rasa_command()
    assert command[command.index("--enable-api") + 1 : command.index("--enable-api") + 3] == [
        "--auth-token",
        "s3cret",
    ]
    get_settings.cache_clear()
