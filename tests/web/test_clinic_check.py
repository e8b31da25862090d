"""Issue 16 item 6: each clinic setting still on its example value is named at start-up."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.clinic_check import example_settings, warn_example_settings
from bot.knowledge import load_knowledge
from bot.settings import Settings, get_settings

REAL = {
    "MEND_BLOG_URL": "https://mendpt.net/blog/hip-mobility",
    "CLINIC_PHONE": "(303) 442-1234",
    "CLINIC_BOOKING_URL": "https://schedule.mendpt.net/book",
    "CLINIC_HOURS": "Mon-Fri 7am-7pm",
}


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in REAL:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEND_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def check() -> list[str]:
    settings = Settings.from_env()
    return example_settings(load_knowledge(settings), settings)


def test_shipped_clinic_settings_get_one_line_each(env):
    warnings = check()
    assert len(warnings) == 4
    assert all("\n" not in line for line in warnings)
    for setting in ("MEND_BLOG_URL", "CLINIC_PHONE", "CLINIC_BOOKING_URL", "CLINIC_HOURS"):
        assert sum(setting in line for line in warnings) == 1
    assert any("(303) 555-0100" in line for line in warnings)


def test_real_values_silence_the_warnings(env):
    for name, value in REAL.items():
        env.setenv(name, value)
    assert check() == []


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("CLINIC_PHONE", "303-555-0142", "CLINIC_PHONE"),  # still a 555-01xx fiction number
        ("CLINIC_BOOKING_URL", "https://www.example-clinic.com/book", "CLINIC_BOOKING_URL"),
        ("CLINIC_BOOKING_URL", "https://example.com/book", "CLINIC_BOOKING_URL"),
    ],
)
def test_example_looking_values_still_warn(env, name, value, named):
    for other, real in REAL.items():
        env.setenv(other, real)
    env.setenv(name, value)
    [warning] = check()
    assert named in warning


def test_web_app_start_prints_the_warnings(env, capsys):
    from bot.web.app import create_app

    create_app()
    lines = [line for line in capsys.readouterr().err.splitlines() if "clinic setting" in line]
    assert len(lines) == 4
    assert all(line.startswith("WARNING") for line in lines)


def test_a_broken_knowledge_dir_is_reported_not_raised(env, tmp_path):
    env.setenv("MEND_KNOWLEDGE_DIR", str(Path(tmp_path) / "missing"))
    get_settings.cache_clear()
    stream = io.StringIO()
    [line] = warn_example_settings(stream)
    assert "could not be checked" in line and "could not be checked" in stream.getvalue()
