"""Conversations live in the SQL tracker store: they survive a restart of the Rasa server."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import texts
from tests.support.live_bot import start_live_bot


def test_conversation_survives_a_restart(tmp_path) -> None:
    bot = start_live_bot(tmp_path / "bot")
    try:
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
        assert count > 5
        assert (tmp_path / "bot" / "mend.db").exists()
    finally:
        bot.stop()
