"""Security review findings: parallel password guessing, account enumeration through the lock-out,
server errors on edited URLs, and masking of search results."""

from __future__ import annotations

import csv
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.db import get_engine
from bot.db.types import utcnow
from bot.staff import auth

from .conftest import PASSWORD, YESTERDAY, conversation_id, csrf_of, sign_in

PARALLEL_GUESSES = 20
ERROR = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.DOTALL)


def _locked_until(email: str) -> datetime | None:
    with get_engine().connect() as conn:
        return conn.execute(
            sa.select(auth.users.c.locked_until).where(auth.users.c.email == email)
        ).scalar_one()


def _lock(email: str) -> None:
    with get_engine().begin() as conn:
        conn.execute(
            auth.users.update()
            .where(auth.users.c.email == email)
            .values(locked_until=utcnow() + timedelta(minutes=15))
        )


def parallel_guesses(email: str, count: int = PARALLEL_GUESSES) -> list[str]:
    """``count`` wrong passwords for ``email`` at the same moment; their outcomes."""
    barrier = threading.Barrier(count)

    def guess(number: int) -> str:
        barrier.wait()
        return auth.authenticate(email, f"wrong password number {number}")[1]

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(guess, range(count)))


# --- lock-out ------------------------------------------------------------------------------


def test_parallel_wrong_passwords_lock_the_account(staff_db):
    email = "parallel@mendpt.example"
    auth.add_user(email, PASSWORD, "staff")
    outcomes = parallel_guesses(email)
    limit = auth.get_config().max_failed_logins
    # Only as many passwords as the limit allows were checked; every other guess was refused.
    assert outcomes.count("wrong") == limit - 1
    assert outcomes.count("locked") == PARALLEL_GUESSES - limit + 1
    assert _locked_until(email) > utcnow()
    assert auth.authenticate(email, PASSWORD) == (None, "locked")


def test_a_right_password_before_the_limit_resets_the_count(staff_db):
    email = "reset@mendpt.example"
    auth.add_user(email, PASSWORD, "staff")
    limit = auth.get_config().max_failed_logins
    for _ in range(limit - 1):
        assert auth.authenticate(email, "wrong password!!")[1] == "wrong"
    assert auth.authenticate(email, PASSWORD)[1] == "ok"
    for _ in range(limit - 1):
        assert auth.authenticate(email, "wrong password!!")[1] == "wrong"
    assert auth.authenticate(email, PASSWORD)[1] == "ok"


def test_after_the_lock_expires_the_count_starts_again(staff_db):
    email = "expired@mendpt.example"
    auth.add_user(email, PASSWORD, "staff")
    with get_engine().begin() as conn:  # locked before, fifteen minutes ago
        conn.execute(
            auth.users.update()
            .where(auth.users.c.email == email)
            .values(failed_attempts=5, locked_until=utcnow() - timedelta(seconds=1))
        )
    assert auth.authenticate(email, "wrong password!!")[1] == "wrong"
    assert _locked_until(email) is None
    assert auth.authenticate(email, PASSWORD)[1] == "ok"


# --- no account enumeration ----------------------------------------------------------------


def test_unknown_wrong_and_locked_look_the_same_on_the_sign_in_page(client):
    email = "enumerate@mendpt.example"
    auth.add_user(email, PASSWORD, "staff")
    _lock(email)
    answers = [
        sign_in(client, "nobody@mendpt.example", "some password!!"),
        sign_in(client, "staff@mendpt.example", "not the password"),
        sign_in(client, email, "not the password"),
        sign_in(client, email, PASSWORD),  # right password, locked account
    ]
    assert {response.status_code for response in answers} == {401}
    messages = {ERROR.search(response.text).group(1) for response in answers}
    assert len(messages) == 1
    assert "Wrong email or password" in messages.pop()
    with get_engine().connect() as conn:
        actions = set(
            conn.execute(
                sa.select(auth.audit_log.c.action).where(
                    auth.audit_log.c.user_email.in_([email, "nobody@mendpt.example"])
                )
            ).scalars()
        )
    assert {"login_unknown", "login_locked"} <= actions  # the audit log still tells them apart


@pytest.mark.parametrize("case", ["unknown", "inactive", "wrong", "locked"])
def test_every_refusal_checks_one_password_hash(staff_db, monkeypatch, case):
    """The slow argon2 check runs for every refusal, so answer times do not reveal accounts."""
    email = f"timing-{case}@mendpt.example"
    if case != "unknown":
        auth.add_user(email, PASSWORD, "staff")
    if case == "locked":
        _lock(email)
    if case == "inactive":
        with get_engine().begin() as conn:
            conn.execute(
                auth.users.update().where(auth.users.c.email == email).values(active=False)
            )
    checked: list[str] = []
    real_verify = auth._verify
    monkeypatch.setattr(
        auth, "_verify", lambda stored, given: checked.append(stored) or real_verify(stored, given)
    )
    password = PASSWORD if case in {"locked", "inactive"} else "not the password"
    user, outcome = auth.authenticate(email, password)
    assert user is None
    assert outcome == {"inactive": "unknown"}.get(case, case)
    assert len(checked) == 1


# --- edited URLs answer, never 500 ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/staff/conversations?to=9999-12-31",
        "/staff/conversations?from=0001-01-01",
        "/staff/conversations?from=9999-12-31&to=9999-12-31",
        "/staff/dashboard?to=0001-01-01",
        "/staff/dashboard?from=9999-12-31&to=9999-12-31",
        "/staff/dashboard?from=0001-01-01",
    ],
)
def test_far_off_dates_are_ignored_with_a_note(staff_client, url):
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "Ignored the" in page.text and "between 2000 and 2100" in page.text


def test_far_off_date_leaves_the_list_unfiltered(staff_client):
    page = staff_client.get("/staff/conversations?to=9999-12-31").text
    assert f'href="/staff/conversations/{conversation_id("web-old")}"' in page
    assert f'href="/staff/conversations/{conversation_id("web-hips")}"' in page


def test_valid_dates_show_no_note(staff_client):
    page = staff_client.get(f"/staff/dashboard?from={YESTERDAY}&to={YESTERDAY}").text
    assert "Ignored the" not in page
    assert "Ignored the" not in staff_client.get(f"/staff/conversations?from={YESTERDAY}").text


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01&to=9999-12-31"])
def test_csv_export_with_far_off_dates(staff_client, query):
    response = staff_client.get(f"/staff/export/conversations.csv?{query}")
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.text)))) > 1


def test_nlu_export_with_far_off_date(staff_client):
    assert staff_client.get("/staff/export/nlu.yml?since=9999-12-31").status_code == 200


@pytest.mark.parametrize("number", [2**63 - 1, 2**63, 99999999999999999999, 0])
def test_huge_conversation_ids_are_not_found(staff_client, number):
    assert staff_client.get(f"/staff/conversations/{number}").status_code == 404


def test_huge_ids_in_forms_are_not_found(client):
    assert sign_in(client, "admin@mendpt.example").status_code == 303
    cid = conversation_id("web-hips")
    token = csrf_of(client.get(f"/staff/conversations/{cid}").text)
    huge = "99999999999999999999"
    for action, extra in (("review", {}), ("reveal", {}), ("intent", {"event_id": "1"})):
        response = client.post(
            f"/staff/conversations/{huge}/{action}", data={"csrf_token": token, **extra}
        )
        assert response.status_code == 404, action
    response = client.post(
        f"/staff/conversations/{cid}/intent",
        data={"csrf_token": token, "event_id": huge, "intent": "greet"},
    )
    assert response.status_code == 404


# --- search finds by a full phone number, but shows it masked ------------------------------


def test_search_by_full_phone_number_shows_masked_results(staff_client):
    page = staff_client.get("/staff/conversations?q=303-555-0142").text
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert f'href="/staff/conversations/{conversation_id("web-booking")}"' in body
    assert "303-555-0142" not in body and "3035550142" not in body
    assert "+1 ***-***-0142" in body

    export = staff_client.get("/staff/export/conversations.csv?q=303-555-0142").text
    assert "303-555-0142" not in export and "+1 ***-***-0142" in export
    assert len(list(csv.reader(io.StringIO(export)))) == 2  # header and the one match
