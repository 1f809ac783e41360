"""The OAuth2 wire protocol, for one provider: login URL, code exchange, refresh, revoke.

Authorization code grant with PKCE (RFC 7636, S256) and a state token; tokens from the
token endpoint (RFC 6749 section 5, JSON, or form encoded as some providers answer);
revocation by RFC 7009 or GitHub's API; userinfo to name the account and to check that a
token still works. A provider that refuses a grant (``invalid_grant``) or a token (401)
raises :class:`TokenRejectedError`: the stored credential is then broken.
"""

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from blockyard.errors import BlockExecutionError, BlockTransientError
from blockyard.integrations.oauth.providers import OAuthProvider

_REJECTED = frozenset({"invalid_grant", "invalid_token", "unauthorized_client"})


class OAuthProviderError(BlockExecutionError):
    """The provider answered with an OAuth2 error (``error`` holds its code)."""

    def __init__(self, message: str, error: str = "", **context: Any) -> None:
        super().__init__(message, **context)
        self.error = error


class TokenRejectedError(OAuthProviderError):
    """The grant or token is no longer valid: revoked, expired or never issued."""


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    refresh_token_expires_at: float | None = None
    scopes: tuple[str, ...] = ()


def new_verifier() -> str:
    """A PKCE code verifier: 64 URL-safe characters (RFC 7636 allows 43 to 128)."""
    return secrets.token_urlsafe(48)


def challenge_for(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _expiry(value: Any, now: float) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return now + seconds if seconds > 0 else None


class OAuthClient:
    def __init__(self, provider: OAuthProvider, http: httpx.AsyncClient) -> None:
        self.provider = provider
        self._http = http

    def authorize_url(
        self, *, state: str, code_challenge: str, scopes: tuple[str, ...], redirect_uri: str
    ) -> str:
        p = self.provider
        params = {
            "response_type": "code",
            "client_id": p.client_id,
            "redirect_uri": redirect_uri,
            "scope": p.scope_separator.join(scopes),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            **p.authorize_params,
        }
        separator = "&" if "?" in p.authorize_url else "?"
        return f"{p.authorize_url}{separator}{urlencode(params)}"

    async def exchange_code(
        self, code: str, code_verifier: str, redirect_uri: str, scopes: tuple[str, ...]
    ) -> TokenSet:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        return await self._token_request(data, scopes)

    async def refresh(self, refresh_token: str, scopes: tuple[str, ...]) -> TokenSet:
        """New tokens; the old refresh token is kept when the provider sends none."""
        tokens = await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}, scopes
        )
        if tokens.refresh_token is None:
            tokens = TokenSet(
                tokens.access_token,
                refresh_token,
                tokens.expires_at,
                tokens.refresh_token_expires_at,
                tokens.scopes,
            )
        return tokens

    async def _token_request(self, data: dict[str, str], scopes: tuple[str, ...]) -> TokenSet:
        p = self.provider
        auth = None
        if p.token_auth == "client_secret_basic":
            auth = httpx.BasicAuth(p.client_id, p.client_secret)
        else:
            data = {**data, "client_id": p.client_id, "client_secret": p.client_secret}
        now = time.time()
        body = await self._post_form(p.token_url, data, auth)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise OAuthProviderError(f"{p.title} sent no access token")
        granted = body.get("scope")
        return TokenSet(
            access_token=token,
            refresh_token=str(body["refresh_token"]) if body.get("refresh_token") else None,
            expires_at=_expiry(body.get("expires_in"), now),
            refresh_token_expires_at=_expiry(body.get("refresh_token_expires_in"), now),
            scopes=tuple(granted.replace(",", " ").split()) if isinstance(granted, str) else scopes,
        )

    async def _post_form(
        self, url: str, data: dict[str, str], auth: httpx.Auth | None
    ) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        try:
            response = await self._http.post(
                url, data=data, auth=auth or httpx.USE_CLIENT_DEFAULT, headers=headers
            )
        except httpx.HTTPError as exc:
            raise BlockTransientError(f"{self.provider.title} could not be reached: {exc}") from exc
        body = _decode(response)
        if response.status_code >= 500:
            raise BlockTransientError(f"{self.provider.title} failed ({response.status_code})")
        if response.status_code >= 400 or "error" in body:
            raise _error(self.provider.title, body, response.status_code)
        return body

    async def revoke(self, token: str, hint: str = "access_token") -> bool:
        """Ask the provider to revoke ``token``; False when it has no way to, or failed."""
        p = self.provider
        if p.revoke_style == "none" or not p.revoke_url:
            return False
        try:
            if p.revoke_style == "github":
                response = await self._http.request(
                    "DELETE",
                    p.revoke_url,
                    json={"access_token": token},
                    auth=httpx.BasicAuth(p.client_id, p.client_secret),
                    headers={"Accept": "application/vnd.github+json"},
                )
                return response.status_code in (204, 404)
            data = {"token": token, "token_type_hint": hint}
            data |= {"client_id": p.client_id, "client_secret": p.client_secret}
            response = await self._http.post(p.revoke_url, data=data)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def userinfo(self, access_token: str) -> dict[str, Any]:
        """The account the token belongs to; TokenRejectedError when the token is refused."""
        url = self.provider.userinfo_url
        if not url:
            return {}
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        try:
            response = await self._http.get(url, headers=headers)
        except httpx.HTTPError as exc:
            raise BlockTransientError(f"{self.provider.title} could not be reached: {exc}") from exc
        if response.status_code in (401, 403):
            raise TokenRejectedError(
                f"{self.provider.title} no longer accepts this token", "invalid_token"
            )
        if response.status_code >= 400:
            raise BlockTransientError(f"{self.provider.title} failed ({response.status_code})")
        return _decode(response)

    def username(self, info: dict[str, Any]) -> str | None:
        for claim in self.provider.username_claims:
            value = info.get(claim)
            if isinstance(value, str | int) and str(value):
                return str(value)
        return None


def _decode(response: httpx.Response) -> dict[str, Any]:
    """A JSON object body, or a form-encoded one (GitHub without Accept, some others)."""
    try:
        body = response.json()
    except ValueError:
        body = dict(parse_qsl(response.text))
    return body if isinstance(body, dict) else {}


def _error(title: str, body: dict[str, Any], status: int) -> OAuthProviderError:
    code = str(body.get("error") or f"http_{status}")
    detail = body.get("error_description") or code
    message = f"{title} refused: {detail}"
    if code in _REJECTED or status == 401:
        return TokenRejectedError(message, code)
    return OAuthProviderError(message, code)
