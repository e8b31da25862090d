"""Conversation ids against the real bot (issue 15): knowing a patient's conversation id is not
enough to see or act on their booking draft. Skipped without a trained model (fails under CI)."""

from __future__ import annotations

import json

import pytest

from tests.web.socketio_client import Chat

VICTIM_NAME = "Jane Victimson"
VICTIM_PHONE = "(303) 555-0142"


def said(messages: list[dict]) -> str:
    return json.dumps(messages)


@pytest.mark.asyncio
async def test_another_client_naming_the_victims_id_gets_a_new_empty_conversation(live_site):
    victim = await Chat.open(live_site.rasa_url, live_site.origin)
    attacker = await Chat.open(live_site.rasa_url, live_site.origin)
    try:
        victim_id = await victim.start()
        await victim.replies(victim_id, "/greet")
        assert "name" in said(await victim.replies(victim_id, "book an appointment")).lower()
        await victim.replies(victim_id, VICTIM_NAME)
        assert "clinic" in said(await victim.replies(victim_id, VICTIM_PHONE)).lower()

        # The attacker knows the victim's id, but not the token the server gave the victim.
        confirm = await attacker.request_session({"session_id": victim_id, "token": victim_id})
        assert confirm["session_id"] != victim_id and confirm["new"] is True
        answer = said(await attacker.replies(confirm["session_id"], "book an appointment"))
        assert "What name should" in answer  # the booking starts from the beginning
        for secret in ("Victimson", "555-0142", "0142"):
            assert secret not in answer
        confirmed = said(await attacker.replies(confirm["session_id"], "/affirm"))
        assert "Victimson" not in confirmed and "reference" not in confirmed.lower()

        # The victim's draft is untouched and still theirs.
        summary = said(await victim.replies(victim_id, "Lafayette"))
        assert "days and times" in summary or "Lafayette" in summary
    finally:
        await victim.close()
        await attacker.close()
