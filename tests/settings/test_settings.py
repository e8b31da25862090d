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


# --- One reader for the whole bot package (issue 11) ------------------------------------------


def _staff(monkeypatch: pytest.MonkeyPatch):
    from bot.staff.config import StaffConfig

    monkeypatch.setenv("STAFF_SECRET_KEY", "test-key")  # no generated key file in the data dir
    return StaffConfig.from_env()


def _notify(monkeypatch: pytest.MonkeyPatch):
    from bot.booking.notify.settings import NotifySettings

    return NotifySettings.from_env()


def _overload(monkeypatch: pytest.MonkeyPatch):
    from bot.channels import overload

    monkeypatch.setattr(overload, "_limiter", None)  # sized afresh from the environment
    return overload.limiter()


def _deadline(monkeypatch: pytest.MonkeyPatch):
    from bot.request_deadline import deadline_seconds

    return deadline_seconds()


def _core(monkeypatch: pytest.MonkeyPatch):
    return Settings.from_env()


@pytest.mark.parametrize(
    ("name", "read", "kind"),
    [
        ("STAFF_SESSION_MINUTES", _staff, "a whole number"),
        ("STAFF_PAGE_SIZE", _staff, "a whole number"),
        ("SMTP_PORT", _notify, "a whole number"),
        ("MAX_CONCURRENT_MESSAGES", _overload, "a whole number"),
        ("MAX_QUEUED_MESSAGES", _overload, "a whole number"),
        ("REQUEST_DEADLINE_SECONDS", _deadline, "a number"),
        ("MAX_MESSAGE_CHARS", _core, "a whole number"),
    ],
)
def test_a_bad_number_names_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, name: str, read, kind: str
) -> None:
    monkeypatch.setenv(name, "abc")
    with pytest.raises(ValueError, match=f"^{name} must be {kind}, got 'abc'$"):
        read(monkeypatch)


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("STAFF_COOKIE_SECURE", _staff),
        ("SMTP_STARTTLS", _notify),
        ("SMTP_SSL", _notify),
    ],
)
def test_a_bad_boolean_names_the_variable_and_the_value(
    monkeypatch: pytest.MonkeyPatch, name: str, read
) -> None:
    monkeypatch.setenv(name, "maybe")
    with pytest.raises(ValueError, match=f"^{name} must be true or false .*got 'maybe'$"):
        read(monkeypatch)


# Every boolean setting in bot/, and how to read its value back.
BOOLEAN_SETTINGS = {
    "STAFF_COOKIE_SECURE": lambda mp: _staff(mp).cookie_secure,
    "SMTP_STARTTLS": lambda mp: _notify(mp).smtp_starttls,
    "SMTP_SSL": lambda mp: _notify(mp).smtp_ssl,
}


@pytest.mark.parametrize(
    ("word", "meaning"),
    [
        *[(word, True) for word in ("true", "1", "yes", "on", "TRUE", "Yes", " On ")],
        *[(word, False) for word in ("false", "0", "no", "off", "FALSE", "No", " OFF ")],
        *[(word, False) for word in ("", "   ")],  # blank is unset: the default (off)
    ],
)
def test_the_same_words_mean_the_same_in_every_feature(
    monkeypatch: pytest.MonkeyPatch, word: str, meaning: bool
) -> None:
    for name in BOOLEAN_SETTINGS:
        monkeypatch.setenv(name, word)
    seen = {name: read(monkeypatch) for name, read in BOOLEAN_SETTINGS.items()}
    assert seen == dict.fromkeys(BOOLEAN_SETTINGS, meaning)


def test_blank_means_the_default_and_values_are_read_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_PAGE_SIZE", "   ")
    monkeypatch.setenv("SMTP_PORT", "")
    assert _staff(monkeypatch).page_size == 50
    assert _notify(monkeypatch).smtp_port == 25
    monkeypatch.setenv("SMTP_PORT", " 2525 ")  # changed while the process runs: seen at once
    assert _notify(monkeypatch).smtp_port == 2525
    monkeypatch.setenv("MAX_CONCURRENT_MESSAGES", "0")  # at least one message gets through
    assert _overload(monkeypatch).concurrent == 1


def test_a_non_positive_deadline_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUEST_DEADLINE_SECONDS", "0")
    with pytest.raises(ValueError, match=r"^REQUEST_DEADLINE_SECONDS must be greater than 0"):
        _deadline(monkeypatch)


# The only places in bot/ that touch the process environment directly; every value is read
# through ``bot.settings.setting``. (path, the exact line) -> why it is allowed.
ENVIRONMENT_ALLOWED = {
    ("bot/settings.py", "self._config = config or Config(environ=os.environ)"): "the one reader",
    ("bot/cli.py", "env = dict(os.environ)"): "passes the environment on to the servers it starts",
}


def _environment_uses(path, root) -> list[tuple[str, int, str]]:
    """Lines of ``path`` that use ``os.environ``/``os.getenv`` or import them from ``os``."""
    import ast

    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        hit = (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in {"environ", "environb", "getenv", "getenvb", "putenv"}
        ) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(
                alias.name in {"environ", "environb", "getenv", "getenvb"} for alias in node.names
            )
        )
        if hit:
            found.append((str(path.relative_to(root)), node.lineno, lines[node.lineno - 1].strip()))
    return found


def test_nothing_in_bot_reads_the_environment_but_the_one_reader() -> None:
    from bot.settings import PROJECT_ROOT

    uses = [
        use
        for path in sorted((PROJECT_ROOT / "bot").rglob("*.py"))
        for use in _environment_uses(path, PROJECT_ROOT)
    ]
    stray = [
        f"{file}:{line}: {text}"
        for file, line, text in uses
        if (file, text) not in ENVIRONMENT_ALLOWED
    ]
    assert not stray, "read settings with bot.settings.setting, not os.environ:\n" + "\n".join(
        stray
    )
    # The allowed places still exist (a stale list would let a new reader hide behind it).
    assert {(file, text) for file, _, text in uses} == set(ENVIRONMENT_ALLOWED)


READER_METHODS = {"text", "whole_number", "number", "flag", "items"}


def test_every_variable_the_bot_reads_is_in_the_readme_settings_table() -> None:
    import ast
    import re

    from bot.settings import PROJECT_ROOT

    read = set()
    for path in (PROJECT_ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            method = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            name = getattr(node.args[0], "value", None)
            if method in READER_METHODS and re.fullmatch(r"[A-Z][A-Z0-9_]+", str(name)):
                read.add(name)
    assert {"STAFF_COOKIE_SECURE", "SMTP_PORT", "REST_API_TOKEN"} <= read  # the scan works
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    documented = {
        name
        for line in section.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    }
    assert read - documented == set(), "add these to the README's Settings table"
