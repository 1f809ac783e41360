"""Who is calling: passwords (argon2), session tokens (JWT, HS256) and API keys.

Access tokens are short-lived JWTs (``sub``, ``exp``, ``type=access``, ``jti``); refresh
tokens are JWTs too (``type=refresh``) whose ``jti`` is stored, so ``/refresh`` rotates them
(the old one is revoked) and ``/logout`` revokes them. Presenting a refresh token that was
already rotated away revokes every session of that user: it means the token leaked.

API keys are ``byk_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the whole
key (high entropy, so a slow hash adds nothing) is compared in constant time, and the key
itself is shown once and never stored. A key carries scopes (``read``, ``execute``,
``manage``); a session token carries all of them.
"""

import asyncio
import enum
import functools
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from blockyard.errors import AuthError, PermissionDeniedError
from blockyard.store.api_keys import ApiKey
from blockyard.store.users import User
from blockyard.wiring import Container

API_KEY_PREFIX = "byk_"
_PREFIX_CHARS = 8
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the account does not exist (made on first use)."""
    return _hasher.hash("timing-equaliser")


class Scope(enum.StrEnum):
    READ = "read"
    EXECUTE = "execute"
    MANAGE = "manage"


ALL_SCOPES: frozenset[Scope] = frozenset(Scope)
_SCOPE_VALUES = frozenset(s.value for s in Scope)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request: a user and what this credential lets them do."""

    user_id: str
    is_admin: bool
    scopes: frozenset[Scope]
    api_key_id: str | None = None

    def require(self, scope: Scope) -> None:
        if scope not in self.scopes:
            raise PermissionDeniedError(f"This API key lacks the '{scope}' scope")


# --- passwords -------------------------------------------------------------------------


async def hash_password(password: str) -> str:
    """Argon2id, off the event loop: a hash costs tens of milliseconds by design."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; with no hash, spend the same time and say no."""

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


# --- tokens ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: float


class TokenService:
    """Signs and checks JWTs with one HS256 secret; only HS256 is ever accepted."""

    algorithm = "HS256"

    def __init__(self, secret: str, *, access_minutes: int, refresh_days: int) -> None:
        self._secret = secret
        self._access_seconds = access_minutes * 60
        self._refresh_seconds = refresh_days * 86400

    def issue(self, user_id: str, kind: str, *, is_admin: bool = False) -> IssuedToken:
        now = int(time.time())
        ttl = self._access_seconds if kind == "access" else self._refresh_seconds
        jti = uuid.uuid4().hex
        claims = {"sub": user_id, "type": kind, "jti": jti, "iat": now, "exp": now + ttl}
        if kind == "access" and is_admin:
            claims["admin"] = True
        token = jwt.encode(claims, self._secret, algorithm=self.algorithm)
        return IssuedToken(token=token, jti=jti, expires_at=float(now + ttl))

    def decode(self, token: str, kind: str) -> dict[str, Any]:
        """The claims of a valid, unexpired token of ``kind``; ``AuthError`` otherwise."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[self.algorithm],
                options={"require": ["sub", "exp", "type", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("Token expired") from None
        except jwt.PyJWTError:
            raise AuthError("Invalid token") from None
        if claims.get("type") != kind:
            raise AuthError(f"Not an {kind} token" if kind == "access" else f"Not a {kind} token")
        return claims


def token_service(container: Container) -> TokenService:
    settings = container.settings
    return TokenService(
        container.secrets.jwt_secret,
        access_minutes=settings.access_token_minutes,
        refresh_days=settings.refresh_token_days,
    )


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str


async def issue_pair(container: Container, user_id: str, is_admin: bool) -> TokenPair:
    tokens = token_service(container)
    access = tokens.issue(user_id, "access", is_admin=is_admin)
    refresh = tokens.issue(user_id, "refresh")
    await container.repos.refresh_tokens.add(refresh.jti, user_id, refresh.expires_at)
    return TokenPair(access_token=access.token, refresh_token=refresh.token)


async def login(container: Container, email: str, password: str) -> TokenPair:
    found = await container.repos.users.by_email(email)
    user, password_hash = found if found is not None else (None, None)
    if not await verify_password(password_hash, password) or user is None:
        raise AuthError("Wrong email or password")
    return await issue_pair(container, user.id, user.is_admin)


async def rotate_refresh(container: Container, refresh_token: str) -> TokenPair:
    """Trade a live refresh token for a new pair; a reused one ends every session.

    ``revoke`` is atomic, so of two requests racing with one token exactly one wins.
    """
    claims = token_service(container).decode(refresh_token, "refresh")
    repo = container.repos.refresh_tokens
    if not await repo.revoke(claims["jti"]):
        await repo.revoke_all(claims["sub"])
        raise AuthError("Refresh token is no longer valid")
    user = await _existing_user(container, claims["sub"])
    return await issue_pair(container, user.id, user.is_admin)


async def logout(container: Container, refresh_token: str) -> None:
    claims = token_service(container).decode(refresh_token, "refresh")
    await container.repos.refresh_tokens.revoke(claims["jti"])


async def principal_from_token(container: Container, token: str) -> Principal:
    claims = token_service(container).decode(token, "access")
    user = await _existing_user(container, claims["sub"])
    return Principal(user_id=user.id, is_admin=user.is_admin, scopes=ALL_SCOPES)


async def _existing_user(container: Container, user_id: str) -> User:
    user = await container.repos.users.get(user_id)
    if user is None:
        raise AuthError("Unknown user")
    return user


async def current_user(container: Container, principal: Principal) -> User:
    return await _existing_user(container, principal.user_id)


# --- API keys --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewApiKey:
    key: str
    prefix: str
    key_hash: str


def new_api_key() -> NewApiKey:
    prefix = API_KEY_PREFIX + secrets.token_hex(_PREFIX_CHARS // 2)
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    return NewApiKey(key=key, prefix=prefix, key_hash=hash_api_key(key))


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def api_key_prefix(key: str) -> str | None:
    """The lookup prefix (``byk_`` and 8 hex digits) of a well-formed key, or None."""
    size = len(API_KEY_PREFIX) + _PREFIX_CHARS
    if not key.startswith(API_KEY_PREFIX) or len(key) <= size + 1 or key[size] != "_":
        return None
    return key[:size]


async def principal_from_api_key(container: Container, key: str) -> Principal:
    prefix = api_key_prefix(key)
    found = await container.repos.api_keys.by_prefix(prefix) if prefix else None
    if found is None:
        raise AuthError("Invalid API key")
    api_key, key_hash = found
    if not hmac.compare_digest(key_hash, hash_api_key(key)) or _is_revoked(api_key):
        raise AuthError("Invalid API key")
    user = await _existing_user(container, api_key.user_id)
    await container.repos.api_keys.touch(api_key.id)
    scopes = frozenset(Scope(s) for s in api_key.scopes if s in _SCOPE_VALUES)
    return Principal(user.id, user.is_admin, scopes, api_key_id=api_key.id)


def _is_revoked(api_key: ApiKey) -> bool:
    return api_key.revoked_at is not None


def looks_like_api_key(credential: str) -> bool:
    return credential.startswith(API_KEY_PREFIX)


async def authenticate(container: Container, credential: str) -> Principal:
    """A bearer token or an API key, whichever ``credential`` is."""
    if looks_like_api_key(credential):
        return await principal_from_api_key(container, credential)
    return await principal_from_token(container, credential)
