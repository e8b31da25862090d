"""Intent corrections and their export as Rasa NLU training data; the staff CLI; retention."""

from __future__ import annotations

import io
import sys

import pytest
import sqlalchemy as sa

from bot.db import get_engine
from bot.db.migrate import upgrade
from bot.staff import auth, summary
from bot.staff.cli import purge

from .conftest import PASSWORD, conversation_id, csrf_of, populate, sign_in


def _correct(client, sender: str, text_fragment: str, intent: str):
    cid = conversation_id(sender)
    page = client.get(f"/staff/conversations/{cid}").text
    with get_engine().connect() as conn:
        event_id = next(
            row.id
            for row in conn.execute(
                sa.select(summary.events).where(
                    summary.events.c.sender_id == sender, summary.events.c.type_name == "user"
                )
            )
            if text_fragment in row.data
        )
    return client.post(
        f"/staff/conversations/{cid}/intent",
        data={"csrf_token": csrf_of(page), "event_id": str(event_id), "intent": intent},
        follow_redirects=False,
    )


def test_corrections_export_as_rasa_nlu_yaml(staff_client, tmp_path):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
    from rasa.shared.nlu.training_data.loading import load_data

    assert _correct(staff_client, "web-fallback", "weather", "out_of_scope").status_code == 303
    assert (
        _correct(staff_client, "web-booking", "book an appointment", "book_appointment").status_code
        == 303
    )
    assert _correct(staff_client, "web-hips", "my email", "out_of_scope").status_code == 303
    page = staff_client.get(f"/staff/conversations/{conversation_id('web-fallback')}").text
    assert "corrected to <code>out_of_scope</code>" in page

    response = staff_client.get("/staff/export/nlu.yml")
    assert response.status_code == 200
    text = response.text
    assert text.startswith('version: "3.1"')
    RasaYAMLReader().validate(text)  # the schema check `rasa data validate` runs
    path = tmp_path / "nlu_corrections.yml"
    path.write_text(text)
    data = load_data(str(path))
    examples = {(m.get("intent"), m.get("text")) for m in data.intent_examples}
    assert (
        "book_appointment",
        "I'd like to book an appointment, call me at +1 ***-***-0142",
    ) in examples
    assert ("out_of_scope", "my email is j***@example.com") in examples
    assert any(
        intent == "out_of_scope" and "(script)" not in t and "weather" in t
        for intent, t in examples
    )
    assert "jane.doe" not in text and "303-555-0142" not in text


def test_correcting_twice_keeps_one_example(staff_client):
    _correct(staff_client, "web-old", "sciatica", "greet")
    _correct(staff_client, "web-old", "sciatica", "pt_for_back_pain")
    text = staff_client.get("/staff/export/nlu.yml").text
    assert text.count("old question about sciatica") == 1
    assert "- intent: pt_for_back_pain" in text


def test_correction_must_name_a_domain_intent(staff_client):
    response = _correct(staff_client, "web-hips", "why do you check", "made_up_intent")
    assert response.status_code == 400


def test_correction_must_belong_to_the_conversation(staff_client):
    cid = conversation_id("web-hips")
    page = staff_client.get(f"/staff/conversations/{cid}").text
    with get_engine().connect() as conn:
        other_event = conn.execute(
            sa.select(summary.events.c.id).where(
                summary.events.c.sender_id == "web-emergency", summary.events.c.type_name == "user"
            )
        ).scalar()
    response = staff_client.post(
        f"/staff/conversations/{cid}/intent",
        data={"csrf_token": csrf_of(page), "event_id": str(other_event), "intent": "greet"},
    )
    assert response.status_code == 404


def test_cli_adds_an_account_reading_the_password_from_stdin(client, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    with pytest.raises(SystemExit) as exit_info:
        main(["staff", "add", "New.Person@MendPT.example", "--role", "admin"])
    assert exit_info.value.code == 0
    assert "created admin account new.person@mendpt.example" in capsys.readouterr().out
    assert sign_in(client, "new.person@mendpt.example", "a long enough password").status_code == 303

    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    with pytest.raises(SystemExit) as exit_info:
        main(["staff", "add", "other@mendpt.example"])
    assert exit_info.value.code == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    with pytest.raises(SystemExit) as exit_info:
        main(["staff", "add", "new.person@mendpt.example"])
    assert exit_info.value.code == 2  # exists; --update needed


def test_stored_passwords_are_argon2_hashes(staff_db):
    with get_engine().connect() as conn:
        hashes = [row.password_hash for row in conn.execute(sa.select(auth.users.c.password_hash))]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)


def test_purge_deletes_old_conversations_and_their_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'purge.db'}"
    upgrade(url)
    populate(url)
    engine = sa.create_engine(url)
    summary.sync(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO conversation_reviews (sender_id, reviewed) VALUES ('web-old', 1)")
        )
    assert purge(50, engine) == 1
    with engine.connect() as conn:
        senders = {row[0] for row in conn.execute(sa.text("SELECT DISTINCT sender_id FROM events"))}
        summaries = {
            row[0] for row in conn.execute(sa.text("SELECT sender_id FROM conversation_summaries"))
        }
        reviews = conn.execute(sa.text("SELECT count(*) FROM conversation_reviews")).scalar()
        bookings = conn.execute(sa.text("SELECT count(*) FROM booking_requests")).scalar()
    assert "web-old" not in senders and "web-old" not in summaries and reviews == 0
    assert "web-booking" in senders and bookings == 1
    engine.dispose()


def test_summaries_follow_new_events_without_double_counting(tmp_path):
    from .eventgen import Turn, conversation, save_with_rasa

    url = f"sqlite:///{tmp_path / 'sync.db'}"
    upgrade(url)
    save_with_rasa(url, {"a": conversation(1000.0, [Turn("hi", "greet")])})
    engine = sa.create_engine(url)
    assert summary.sync(engine) > 0
    assert summary.sync(engine) == 0  # nothing new: nothing read
    # the same conversation continues, and a new one starts
    save_with_rasa(
        url,
        {
            "a": conversation(
                1000.0,
                [Turn("hi", "greet"), Turn("chest pain and numb legs", "emergency_symptoms")],
            ),
            "b": conversation(2000.0, [Turn("book me in", "book_appointment")]),
        },
    )
    summary.sync(engine)
    summary.sync(engine)
    with engine.connect() as conn:
        rows = {r.sender_id: r for r in conn.execute(sa.select(summary.summaries))}
    assert rows["a"].turns == 2 and rows["a"].has_emergency and rows["a"].first_question == "hi"
    assert rows["b"].turns == 1 and not rows["b"].has_booking  # asked, but no form started
    engine.dispose()


def test_clarify_action_counts_as_fallback_even_with_a_confident_intent(tmp_path):
    from .eventgen import Turn, conversation, event_row

    events = conversation(
        0.0,
        [Turn("hips?", "why_check_hips", 0.93, ["Did you mean...?"], actions=["action_clarify"])],
    )
    rows = []
    for index, event in enumerate(events, start=1):
        row = event_row("+13035550100", event)
        rows.append(type("Row", (), dict(row, id=index)))
    values = summary.summarize(rows)["+13035550100"]
    assert values["has_fallback"] and not values["has_emergency"]
    assert values["channel"] == "web"  # rest input channel, whatever the sender id looks like
