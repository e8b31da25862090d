"""The requests inbox: listing, status workflow with history and audit, two people at once,
roles and contacts, the Today filter and the reference search."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
import sqlalchemy as sa

from bot.booking.store import BookingDraft, record_handoff, submit_booking
from bot.db import get_engine
from bot.staff import auth, inbox

from .conftest import ADMIN, REVIEWER, STAFF, sign_in


def new_booking(name: str = "Robin Front", phone: str = "303 555 0177", **extra) -> dict:
    conversation = f"inbox-{uuid.uuid4().hex[:8]}"
    draft = BookingDraft(
        conversation,
        "socketio",
        name,
        "phone",
        phone,
        clinic_location="lafayette",
        preferred_times="Tuesday mornings",
        reason="sore lower back",
        **extra,
    )
    stored = submit_booking(draft, uuid.uuid4().hex)
    return {"kind": "booking", "id": stored.id, "reference": stored.reference}


def form_fields(html: str, item: dict, to: str) -> dict[str, str]:
    """The hidden fields of the status button ``to`` for one request, as the page rendered it."""
    action = f'action="/staff/requests/{item["kind"]}/{item["id"]}/status"'
    for block in html.split("<form")[1:]:
        if action in block and f'name="to" value="{to}"' in block:
            return dict(re.findall(r'name="(\w+)" value="([^"]*)"', block.split("</form>")[0]))
    raise AssertionError(f"no {to} button for {item['reference']}")


def post_status(client, page: str, item: dict, to: str, **extra):
    data = {**form_fields(page, item, to), **extra}
    return client.post(
        f"/staff/requests/{item['kind']}/{item['id']}/status", data=data, follow_redirects=False
    )


def row_of(page: str, reference: str) -> str:
    match = re.search(rf'<tr data-reference="{reference}">(.*?)</tr>', page, re.DOTALL)
    assert match, f"{reference} is not listed"
    return match.group(1)


def test_inbox_is_the_landing_page_newest_first_with_a_count_of_new(staff_client):
    older, newer = new_booking("Ann Older"), new_booking("Bea Newer")
    page = staff_client.get("/staff/").text
    assert "Booking and callback requests" in page
    assert page.index(newer["reference"]) < page.index(older["reference"])
    count = inbox.new_count(get_engine())
    assert f"{count} new</span>" in page
    row = row_of(page, newer["reference"])
    assert "Bea Newer" in row and "Lafayette" in row and "lafayette" not in row
    assert "Tuesday mornings" in row and "sore lower back" in row and "Web chat" in row
    assert "New</span>" in row


def test_contacted_then_booked_is_recorded_with_who_and_when(staff_client):
    item = new_booking()
    page = staff_client.get("/staff/").text
    response = post_status(staff_client, page, item, "contacted")
    assert (
        response.status_code == 303
        and f"changed={item['reference']}" in response.headers["location"]
    )
    page = staff_client.get(response.headers["location"]).text
    assert f"Updated {item['reference']}" in page
    assert "Contacted</span>" in row_of(page, item["reference"])
    assert post_status(staff_client, page, item, "booked").status_code == 303

    # "booked" is not open: it leaves the default view, and shows under Booked with who did it
    assert item["reference"] not in staff_client.get("/staff/").text
    row = row_of(staff_client.get("/staff/?status=booked").text, item["reference"])
    assert "Booked</span>" in row and f"by {STAFF}" in row
    detail = staff_client.get(f"/staff/requests/booking/{item['id']}").text
    assert re.search(rf"· Contacted · by {re.escape(STAFF)}</li>", detail)
    assert re.search(rf"· Booked · by {re.escape(STAFF)}</li>", detail)
    with get_engine().connect() as conn:
        audit = conn.execute(
            sa.select(auth.audit_log.c.user_email, auth.audit_log.c.detail)
            .where(
                auth.audit_log.c.action == "request_status",
                auth.audit_log.c.target == f"booking:{item['id']}",
            )
            .order_by(auth.audit_log.c.id)
        ).all()
    assert [row.user_email for row in audit] == [STAFF, STAFF]
    assert '"from": "contacted"' in audit[1].detail and '"to": "booked"' in audit[1].detail


def test_closing_needs_a_reason_and_shows_it(staff_client):
    item = new_booking()
    page = staff_client.get("/staff/").text
    refused = post_status(staff_client, page, item, "closed")  # no reason chosen
    assert refused.status_code == 400 and "Choose why the request is closed" in refused.text
    assert post_status(staff_client, page, item, "closed", reason="duplicate").status_code == 303
    row = row_of(staff_client.get("/staff/?status=closed").text, item["reference"])
    assert "Closed</span>" in row and "Duplicate" in row


def test_the_second_of_two_people_is_told_and_nothing_is_overwritten(client, app):
    from starlette.testclient import TestClient

    item = new_booking()
    assert sign_in(client, STAFF).status_code == 303
    with TestClient(app, base_url="http://testserver") as other:
        assert sign_in(other, ADMIN).status_code == 303
        mine, theirs = client.get("/staff/").text, other.get("/staff/").text
        assert post_status(other, theirs, item, "closed", reason="no_answer").status_code == 303
        late = post_status(client, mine, item, "booked")
    assert late.status_code == 409
    assert f"changed by {ADMIN} a moment ago" in late.text
    assert "Closed</span>" in late.text and "No answer" in late.text
    with get_engine().connect() as conn:
        status = conn.execute(
            sa.text("select status from booking_requests where id = :id"), {"id": item["id"]}
        ).scalar()
    assert status == "closed"
    # The page it answered with is current: acting on it works.
    assert post_status(client, late.text, item, "contacted").status_code == 303


def test_a_stale_page_cannot_reopen_twice(staff_client):
    item = new_booking()
    page = staff_client.get("/staff/").text
    assert post_status(staff_client, page, item, "contacted").status_code == 303
    assert post_status(staff_client, page, item, "contacted").status_code == 409


def test_reviewers_see_contacts_masked_and_callers_in_full_audited(client):
    item = new_booking(phone="(720) 555-0166")
    assert sign_in(client, REVIEWER).status_code == 303
    page = client.get("/staff/").text
    row = row_of(page, item["reference"])
    assert "+17205550166" not in page and "+1 ***-***-0166" in row
    detail = client.get(f"/staff/requests/booking/{item['id']}").text
    assert "+17205550166" not in detail and "+1 ***-***-0166" in detail

    client.cookies.clear()
    assert sign_in(client, STAFF).status_code == 303
    assert "+17205550166" in row_of(client.get("/staff/").text, item["reference"])
    with get_engine().connect() as conn:
        views = conn.execute(
            sa.select(auth.audit_log.c.user_email, auth.audit_log.c.detail).where(
                auth.audit_log.c.action == "view_contacts"
            )
        ).all()
    shown_to = {row.user_email for row in views if f'"booking:{item["id"]}"' in row.detail}
    assert shown_to == {STAFF}


@pytest.mark.parametrize("typed", ["{ref}", "{ref_lower}", "{code}", " mend {code} "])
def test_search_by_reference_code_finds_any_status(staff_client, typed):
    item = new_booking()
    with get_engine().begin() as conn:  # even a closed request is found
        conn.execute(
            sa.text("update booking_requests set status = 'closed' where id = :id"),
            {"id": item["id"]},
        )
    ref = item["reference"]
    query = typed.format(ref=ref, ref_lower=ref.lower(), code=ref.removeprefix("MEND-"))
    page = staff_client.get("/staff/", params={"ref": query}).text
    assert "1 request with reference" in page
    assert f'data-reference="{ref}"' in page and page.count("<tr data-reference=") == 1


def test_unknown_reference_says_so(staff_client):
    page = staff_client.get("/staff/?ref=MEND-ZZZZZ").text
    assert "No request has the reference MEND-ZZZZZ." in page


def test_today_filter(staff_client):
    fresh = new_booking()
    old = new_booking()
    yesterday = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
    with get_engine().begin() as conn:
        conn.execute(
            sa.text("update booking_requests set created_at = :at where id = :id"),
            {"at": yesterday, "id": old["id"]},
        )
    page = staff_client.get("/staff/?today=1").text
    assert f'data-reference="{fresh["reference"]}"' in page
    assert f'data-reference="{old["reference"]}"' not in page
    assert f'data-reference="{old["reference"]}"' in staff_client.get("/staff/").text


def test_handoff_requests_are_in_the_inbox(staff_client):
    stored = record_handoff(
        f"inbox-{uuid.uuid4().hex[:8]}",
        "twilio",
        "Patient asked",
        "phone",
        "720 555 0101",
        idempotency_key=uuid.uuid4().hex,
    )
    row = row_of(staff_client.get("/staff/?kind=handoff").text, stored.reference)
    assert "Talk to a person" in row and "SMS" in row


def test_conversation_page_shows_the_status_history(staff_client):
    from .conftest import conversation_id

    cid = conversation_id("web-booking")
    page = staff_client.get(f"/staff/conversations/{cid}").text
    with get_engine().connect() as conn:
        request_id = conn.execute(
            sa.text("select id from booking_requests where reference = 'BK-7Q2X'")
        ).scalar()
    item = {"kind": "booking", "id": request_id, "reference": "BK-7Q2X"}
    response = post_status(staff_client, page, item, "contacted")
    assert response.headers["location"].startswith(f"/staff/conversations/{cid}?")
    page = staff_client.get(response.headers["location"]).text
    assert re.search(rf"· Contacted · by {re.escape(STAFF)}</li>", page)
