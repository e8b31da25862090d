"""Conversations live in the SQL tracker store: they survive a restart of the Rasa server."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import texts


def test_conversation_survives_a_restart(live_bot) -> None:
    """On the session's bot (its Rasa server restarted in place)."""
    bot = live_bot
    bot.send("persist-1", "what did the study find")
    bot.restart_rasa()
    # "Where's that from?" only knows which answer it means if the earlier turn was kept.
    reply = bot.send("persist-1", "where is that from?").json()
    assert "What did the study find?" in texts(reply)
    engine = sa.create_engine(bot.database_url)
    with engine.connect() as connection:
        count = connection.execute(
            sa.text("select count(*) from events where sender_id = 'rest:persist-1'")
        ).scalar()
    engine.dispose()
    assert count > 5
    assert (bot.data_dir / "mend.db").exists()
