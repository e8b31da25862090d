"""Access control: nothing under /staff without signing in; CSRF, lock-out, sessions."""

from __future__ import annotations

import os
import stat
from datetime import timedelta

import pytest
import sqlalchemy as sa
from starlette.routing import Mount, Route

from bot.db import get_engine
from bot.db.types import utcnow
from bot.staff import auth
from bot.staff.config import SECRET_FILE_NAME

from .conftest import ADMIN, PASSWORD, SMS_PERSON, STAFF, conversation_id, csrf_of, sign_in

PUBLIC = {("/staff/login", "GET"), ("/staff/login", "POST")}


def staff_routes(routes, prefix=""):
    """Every (path, method) the app serves under /staff, including inside mounts."""
    for route in routes:
        if isinstance(route, Mount):
            yield from staff_routes(route.routes, prefix + route.path)
            if (prefix + route.path).startswith("/staff") and not route.routes:
                pytest.fail(f"opaque mount {route.path} under /staff cannot be checked")
        elif isinstance(route, Route) and (prefix + route.path).startswith("/staff"):
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    yield prefix + route.path, method


def test_every_staff_route_refuses_anonymous_access(app, client):
    cid = conversation_id(SMS_PERSON)
    checked = 0
    for path, method in staff_routes(app.routes):
        if (path, method) in PUBLIC:
            continue
        url = path.replace("{conversation_id:int}", str(cid))
        url = url.replace("{kind:str}", "handoff").replace("{request_id:int}", "1")
        assert "{" not in url, f"add a value for the path parameter in {path}"
        response = client.request(method, url, data={"csrf_token": "x"}, follow_redirects=False)
        if method == "GET" and "/export/" not in url:
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/staff/login"), url
        else:
            assert response.status_code in (401, 403), (method, url)
        assert "talk to a real person" not in response.text
        assert SMS_PERSON not in response.text
        checked += 1
    assert checked >= 13


def test_sign_in_sets_a_hardened_session_cookie(client):
    response = sign_in(client)
    assert response.status_code == 303
    cookie = next(
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith(auth.SESSION_COOKIE)
    )
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    assert "path=/staff" in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http in tests: a Secure cookie would not return


def test_cookie_is_secure_over_https(staff_db):
    from starlette.testclient import TestClient

    from bot.web.app import create_app

    with TestClient(create_app(), base_url="https://testserver") as client:
        response = sign_in(client)
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie


def test_the_sign_in_email_ignores_case_and_spaces(client):
    """Staff type their address as they like: "  Staff@MendPT.example " is the same account."""
    assert sign_in(client, f"  {STAFF.upper()} ").status_code == 303
    with pytest.raises(auth.StaffError):
        auth.add_user(STAFF.title(), PASSWORD, "staff")  # one account per address, any case


def test_wrong_password_is_refused(client):
    response = sign_in(client, STAFF, "not the password at all")
    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_pages_work_after_sign_in_and_not_after_sign_out(staff_client):
    assert staff_client.get("/staff/").status_code == 200
    cookie = staff_client.cookies.get(auth.SESSION_COOKIE)
    token = csrf_of(staff_client.get("/staff/").text)
    assert (
        staff_client.post(
            "/staff/logout", data={"csrf_token": token}, follow_redirects=False
        ).status_code
        == 303
    )
    staff_client.cookies.set(auth.SESSION_COOKIE, cookie, path="/staff")  # a copied cookie
    assert staff_client.get("/staff/", follow_redirects=False).status_code == 303


def test_sessions_expire(staff_client):
    with get_engine().begin() as conn:
        conn.execute(auth.sessions.update().values(expires_at=utcnow() - timedelta(seconds=1)))
    response = staff_client.get("/staff/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")


def test_forged_cookie_is_refused(client):
    client.cookies.set(auth.SESSION_COOKIE, "made-up.value", path="/staff")
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_post_without_csrf_token_is_refused(staff_client):
    cid = conversation_id("web-hips")
    response = staff_client.post(
        f"/staff/conversations/{cid}/review", data={"reviewed": "1", "notes": "forged"}
    )
    assert response.status_code == 403
    response = staff_client.post(
        f"/staff/conversations/{cid}/review",
        data={"reviewed": "1", "notes": "forged", "csrf_token": "guess"},
    )
    assert response.status_code == 403
    assert "forged" not in staff_client.get(f"/staff/conversations/{cid}").text


def test_post_from_another_site_is_refused_even_with_token(staff_client):
    cid = conversation_id("web-hips")
    token = csrf_of(staff_client.get(f"/staff/conversations/{cid}").text)
    response = staff_client.post(
        f"/staff/conversations/{cid}/review",
        data={"notes": "cross-site", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_sign_in_form_needs_its_csrf_token(client):
    client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"email": STAFF, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert auth.SESSION_COOKIE not in client.cookies


def test_lock_out_after_five_failed_sign_ins(client):
    email = "lockme@mendpt.example"
    auth.add_user(email, PASSWORD, "staff")
    for _ in range(5):
        assert sign_in(client, email, "wrong password!!").status_code == 401
    refused = sign_in(client, email, PASSWORD)  # the right password, but locked
    assert refused.status_code == 401
    assert client.get("/staff/", follow_redirects=False).status_code == 303
    with get_engine().connect() as conn:
        locked_until = conn.execute(
            sa.select(auth.users.c.locked_until).where(auth.users.c.email == email)
        ).scalar_one()
    assert locked_until > utcnow()
    with get_engine().begin() as conn:  # fifteen minutes later
        conn.execute(
            auth.users.update()
            .where(auth.users.c.email == email)
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert sign_in(client, email, PASSWORD).status_code == 303
    with get_engine().connect() as conn:
        actions = [
            row.action
            for row in conn.execute(
                sa.select(auth.audit_log.c.action).where(auth.audit_log.c.user_email == email)
            )
        ]
    assert actions.count("login_wrong") == 4 and "login_locked" in actions and "login" in actions


def test_after_sign_in_only_local_redirects(client):
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={
            "email": STAFF,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
            "next": "https://evil.example/staff/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/staff/"


def test_only_admins_reveal_contacts_in_transcripts_and_it_is_audited(client):
    cid = conversation_id("web-hips")
    assert sign_in(client, STAFF).status_code == 303
    page = client.get(f"/staff/conversations/{cid}").text
    assert "jane.doe@example.com" not in page and "Reveal" not in page
    response = client.post(f"/staff/conversations/{cid}/reveal", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 403

    client.cookies.clear()
    assert sign_in(client, ADMIN).status_code == 303
    page = client.get(f"/staff/conversations/{cid}").text
    assert "jane.doe@example.com" not in page
    revealed = client.post(f"/staff/conversations/{cid}/reveal", data={"csrf_token": csrf_of(page)})
    assert revealed.status_code == 200
    assert "jane.doe@example.com" in revealed.text
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.select(auth.audit_log)
            .where(auth.audit_log.c.action == "reveal_contact")
            .order_by(auth.audit_log.c.id.desc())
        ).first()
    assert row.user_email == ADMIN and row.target == f"conversation:{cid}"


def test_opening_a_conversation_is_audited(staff_client):
    cid = conversation_id("web-emergency")
    staff_client.get(f"/staff/conversations/{cid}")
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.select(auth.audit_log).where(
                auth.audit_log.c.action == "view_conversation",
                auth.audit_log.c.target == f"conversation:{cid}",
            )
        ).all()
    assert rows and rows[-1].user_email == STAFF


def test_generated_secret_key_is_private_to_the_owner(staff_db):
    path = os.path.join(os.environ["MEND_DATA_DIR"], SECRET_FILE_NAME)
    assert os.path.exists(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
