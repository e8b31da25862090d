"""Staff accounts, sign-in with lock-out, server-side sessions, CSRF tokens and the audit log.

Passwords are argon2 hashes. The session cookie carries a random token signed with the staff
secret; the database keeps only the token's SHA-256, so a leaked table cannot be replayed, and
signing out deletes the row, so a copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, Signer

from bot.db import get_engine
from bot.db.types import literal_utc, utcnow
from bot.staff.config import StaffConfig
from bot.staff.models import AuditLog, StaffSession, StaffUser

# admin: everything; staff: the front desk, who call patients back; reviewer: reads conversations
# to improve the bot and never needs a patient's phone number or email.
ROLES = ("admin", "staff", "reviewer")
# Roles allowed to call patients: they see contacts in full, and every view is audited.
CALLER_ROLES = frozenset({"admin", "staff"})
MIN_PASSWORD_LENGTH = 12
SESSION_COOKIE = "mend_staff_session"
LOGIN_CSRF_COOKIE = "mend_staff_login"
# Sessions slide with activity, but never outlive this many hours after sign-in.
ABSOLUTE_SESSION_HOURS = 12

users = StaffUser.__table__
sessions = StaffSession.__table__
audit_log = AuditLog.__table__

_hasher = PasswordHasher()
# Verified against unknown emails so that a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class StaffError(ValueError):
    """A staff account request that cannot be done (bad email, short password, duplicate)."""


@dataclass(frozen=True)
class StaffIdentity:
    user_id: int
    email: str
    role: str
    csrf_token: str
    token_hash: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_call(self) -> bool:
        """Whether this person calls patients back, and so sees their contacts in full."""
        return self.role in CALLER_ROLES


@lru_cache(maxsize=1)
def get_config() -> StaffConfig:
    return StaffConfig.from_env()


def engine() -> sa.engine.Engine:
    return get_engine()


def clear_caches() -> None:
    """For tests that change the environment between apps."""
    get_config.cache_clear()


def _signer() -> Signer:
    return Signer(get_config().secret_key, salt="mend-staff-session")


def sign(value: str) -> str:
    return _signer().sign(value).decode()


def unsign(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return _signer().unsign(value).decode()
    except BadSignature:
        return None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    if not expected or not given:  # unset or blank never matches
        return False
    return hmac.compare_digest(expected, given)


# --- accounts ------------------------------------------------------------------------------


def login_email(email: str) -> str:
    """A staff sign-in name: the whole address in lower case, or :class:`StaffError`.

    Not :func:`bot.booking.contact.normalize_email`, on purpose. A patient's address is where
    mail must arrive, so it keeps the case of the part before @ and gets a strict check with
    advice for the patient. A staff email is an account name: "Admin@…" and "admin@…" must be the
    same account, and accounts made under this looser check must keep signing in.
    """
    email = (email or "").strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise StaffError(f"not an email address: {email!r}")
    return email


def add_user(email: str, password: str, role: str, update: bool = False) -> str:
    """Create (or with ``update``, reset) a staff account; returns "created" or "updated"."""
    email = login_email(email)
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    values = {
        "password_hash": _hasher.hash(password),
        "role": role,
        "active": True,
        "failed_attempts": 0,
        "locked_until": None,
    }
    with engine().begin() as conn:
        existing = conn.execute(sa.select(users.c.id).where(users.c.email == email)).scalar()
        if existing is not None and not update:
            raise StaffError(f"{email} already has an account (use --update to reset it)")
        if existing is not None:
            conn.execute(users.update().where(users.c.id == existing).values(**values))
            conn.execute(sessions.delete().where(sessions.c.user_id == existing))
            return "updated"
        conn.execute(users.insert().values(email=email, created_at=utcnow(), **values))
    return "created"


def authenticate(email: str, password: str) -> tuple[dict[str, Any] | None, str]:
    """The user row when email and password match and the account is not locked.

    Returns ``(user, "ok")`` or ``(None, reason)`` with reason "unknown", "locked" or "wrong"
    (for the audit log only: the sign-in page must show the same message for all three).
    Five wrong passwords in a row lock the account for 15 minutes (settings), stored in the
    database so every web worker agrees.

    The attempt is counted (atomically, in its own committed transaction) *before* the slow
    password check, so parallel guesses cannot all read the same count and slip past the
    lock-out. Every path runs exactly one argon2 verification (a dummy hash for unknown and
    locked accounts) so the answer time does not tell which emails have accounts.
    """
    try:
        email = login_email(email)
    except StaffError:
        email = ""
    with engine().connect() as conn:
        user = conn.execute(sa.select(users).where(users.c.email == email)).mappings().first()
    if user is None or not user["active"]:
        _verify(_DUMMY_HASH, password)
        return None, "unknown"
    attempt = _count_attempt(user["id"])
    if attempt is None:
        _verify(_DUMMY_HASH, password)
        return None, "locked"
    if not _verify(user["password_hash"], password):
        return None, "locked" if attempt >= _max_failures() else "wrong"
    values: dict[str, Any] = {
        "failed_attempts": 0,
        "locked_until": None,
        "last_login_at": utcnow(),
    }
    if _hasher.check_needs_rehash(user["password_hash"]):
        values["password_hash"] = _hasher.hash(password)
    with engine().begin() as conn:
        conn.execute(users.update().where(users.c.id == user["id"]).values(**values))
    return dict(user), "ok"


def _max_failures() -> int:
    return max(1, get_config().max_failed_logins)


def _count_attempt(user_id: int) -> int | None:
    """Count one sign-in attempt; its number in the current run, or None when locked.

    One UPDATE does the read-modify-write, so concurrent attempts (any number of workers, on
    SQLite or PostgreSQL) each get their own number. The attempt that reaches the limit locks
    the account at once, before its password is even checked; it is still checked, and undoes
    the lock if right. After a lock has expired the count starts again at 1.
    """
    now = utcnow()
    limit = _max_failures()
    c = users.c
    expired = c.locked_until.isnot(None)  # the WHERE below only lets expired locks through
    attempt = sa.case((expired, 1), else_=c.failed_attempts + 1)
    lock_until = literal_utc(now + timedelta(minutes=get_config().lockout_minutes))
    with engine().begin() as conn:
        counted = conn.execute(
            users.update()
            .where(c.id == user_id, sa.or_(c.locked_until.is_(None), c.locked_until <= now))
            .values(
                failed_attempts=attempt,
                locked_until=sa.case((attempt >= limit, lock_until), else_=None),
            )
        )
        if counted.rowcount != 1:
            return None
        # Same transaction: our own write, which no other attempt can change until we commit.
        return int(conn.execute(sa.select(c.failed_attempts).where(c.id == user_id)).scalar_one())


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- sessions ------------------------------------------------------------------------------


def start_session(user_id: int) -> str:
    """A new session for the user; returns the signed cookie value."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with engine().begin() as conn:
        conn.execute(sessions.delete().where(sessions.c.expires_at < now))
        conn.execute(
            sessions.insert().values(
                token_hash=_token_hash(token),
                user_id=user_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + timedelta(minutes=get_config().session_minutes),
            )
        )
    return sign(token)


def load_session(cookie_value: str | None) -> StaffIdentity | None:
    """The signed-in staff member for a session cookie, or None (missing, forged, expired)."""
    token = unsign(cookie_value)
    if token is None:
        return None
    token_hash = _token_hash(token)
    now = utcnow()
    query = (
        sa.select(sessions, users.c.email, users.c.role, users.c.active)
        .join(users, users.c.id == sessions.c.user_id)
        .where(sessions.c.token_hash == token_hash)
    )
    with engine().begin() as conn:
        row = conn.execute(query).mappings().first()
        if row is None or row["expires_at"] <= now or not row["active"]:
            if row is not None:
                conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash))
            return None
        limit = row["created_at"] + timedelta(hours=ABSOLUTE_SESSION_HOURS)
        new_expiry = min(now + timedelta(minutes=get_config().session_minutes), limit)
        if new_expiry - row["expires_at"] > timedelta(minutes=1):  # slide, one write a minute
            conn.execute(
                sessions.update()
                .where(sessions.c.token_hash == token_hash)
                .values(expires_at=new_expiry)
            )
    return StaffIdentity(row["user_id"], row["email"], row["role"], row["csrf_token"], token_hash)


def end_session(identity: StaffIdentity) -> None:
    with engine().begin() as conn:
        conn.execute(sessions.delete().where(sessions.c.token_hash == identity.token_hash))


# --- audit ---------------------------------------------------------------------------------


def audit(
    action: str,
    identity: StaffIdentity | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    email: str | None = None,
) -> None:
    """Record an action. ``target`` and ``detail`` must not hold patient text or contacts."""
    with engine().begin() as conn:
        conn.execute(
            audit_log.insert().values(
                at=utcnow(),
                user_id=identity.user_id if identity else None,
                user_email=identity.email if identity else email,
                action=action,
                target=target,
                detail=json.dumps(detail, sort_keys=True) if detail else None,
            )
        )
