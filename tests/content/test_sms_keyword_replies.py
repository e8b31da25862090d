"""The STOP/START/HELP replies come from data/knowledge/sms_keywords.yml, filled with the clinic's
details, and a broken edit of that file is reported by name instead of failing a patient's STOP."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, get_knowledge
from bot.settings import PROJECT_ROOT
from bot.sms import keywords
from bot.sms.keywords import load_replies

REPLIES = PROJECT_ROOT / "data" / "knowledge" / "sms_keywords.yml"


def test_replies_name_the_clinic_and_keep_the_carrier_words() -> None:
    clinic = get_knowledge().clinic
    opt_out, opt_in, help_text = (
        keywords.opt_out_reply(clinic),
        keywords.opt_in_reply(clinic),
        keywords.help_reply(clinic),
    )
    assert clinic.name in opt_out and "unsubscribed" in opt_out and "START" in opt_out
    assert "subscribed" in opt_in and "STOP" in opt_in
    assert clinic.phone in help_text and "STOP" in help_text
    assert clinic.emergency_number in help_text
    assert "{" not in opt_out + opt_in + help_text


def test_an_unknown_placeholder_is_reported_with_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "sms_keywords.yml"
    broken.write_text(REPLIES.read_text().replace("{clinic_phone}", "{clinic_fone}"))
    with pytest.raises(KnowledgeError, match=r"sms_keywords.yml: replies.help uses unknown"):
        load_replies(broken)


def test_a_missing_reply_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "sms_keywords.yml"
    broken.write_text("replies:\n  opt_out: Bye.\n  help: Help.\n")
    with pytest.raises(KnowledgeError, match=r"missing required field 'replies.opt_in'"):
        load_replies(broken)
