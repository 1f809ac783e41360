"""Where each OAuth2 provider's endpoints are, and which are configured on this server.

A provider is usable once the operator has set its client id and secret
(``BLOCKYARD_GITHUB_CLIENT_ID`` ...). A generic OpenID Connect provider (Keycloak,
Authentik, Okta, Auth0, ...) is read from its issuer's discovery document the first time
it is needed, then kept. These URLs come from the operator, not from users, so they are
not subject to the SSRF guard (a company's identity provider is often on its network).
"""

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

from blockyard.errors import BlockTransientError, ConfigError, NotFoundError
from blockyard.settings import Settings

RevokeStyle = Literal["rfc7009", "github", "none"]
TokenAuth = Literal["client_secret_post", "client_secret_basic"]


SERVICE_TITLES = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "groq": "Groq",
    "open_router": "OpenRouter",
    "ollama": "Ollama",
    "openai_compatible": "OpenAI-compatible server",
    "http": "Web requests (host-scoped headers)",
    "smtp": "E-mail sending (SMTP)",
    "imap": "E-mail reading (IMAP)",
    "mcp": "MCP server",
}
"""Names of the services blocks ask credentials for (ids stay AutoGPT's)."""


@dataclass(frozen=True, slots=True)
class OAuthProvider:
    name: str
    title: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    revoke_url: str = ""
    userinfo_url: str = ""
    default_scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    username_claims: tuple[str, ...] = ("email", "preferred_username", "login", "sub")
    revoke_style: RevokeStyle = "rfc7009"
    token_auth: TokenAuth = "client_secret_post"
    authorize_params: Mapping[str, str] = field(default_factory=dict)


def github(client_id: str, client_secret: str) -> OAuthProvider:
    """GitHub OAuth apps (and GitHub Apps, whose tokens expire and refresh)."""
    return OAuthProvider(
        name="github",
        title="GitHub",
        client_id=client_id,
        client_secret=client_secret,
        authorize_url="https://github.com/login/oauth/authorize",
        token_url="https://github.com/login/oauth/access_token",
        revoke_url=f"https://api.github.com/applications/{client_id}/token",
        userinfo_url="https://api.github.com/user",
        default_scopes=("read:user",),
        username_claims=("login",),
        revoke_style="github",
    )


def google(client_id: str, client_secret: str) -> OAuthProvider:
    """Google: ``access_type=offline`` and ``prompt=consent`` so a refresh token comes back."""
    return OAuthProvider(
        name="google",
        title="Google",
        client_id=client_id,
        client_secret=client_secret,
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        revoke_url="https://oauth2.googleapis.com/revoke",
        userinfo_url="https://openidconnect.googleapis.com/v1/userinfo",
        default_scopes=("openid", "https://www.googleapis.com/auth/userinfo.email"),
        username_claims=("email",),
        authorize_params={"access_type": "offline", "prompt": "consent"},
    )


@dataclass(frozen=True, slots=True)
class OidcConfig:
    """A generic OpenID Connect provider, known by its issuer until discovered."""

    name: str
    title: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]


async def discover(config: OidcConfig, http: httpx.AsyncClient) -> OAuthProvider:
    """The provider described by ``<issuer>/.well-known/openid-configuration``."""
    url = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = await http.get(url)
        response.raise_for_status()
        doc = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise BlockTransientError(f"Could not read {url}: {exc}") from exc
    if not isinstance(doc, dict) or not doc.get("authorization_endpoint"):
        raise ConfigError(f"{url} is not an OpenID Connect discovery document")
    methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    return OAuthProvider(
        name=config.name,
        title=config.title,
        client_id=config.client_id,
        client_secret=config.client_secret,
        authorize_url=str(doc["authorization_endpoint"]),
        token_url=str(doc.get("token_endpoint", "")),
        revoke_url=str(doc.get("revocation_endpoint", "")),
        userinfo_url=str(doc.get("userinfo_endpoint", "")),
        default_scopes=config.scopes,
        revoke_style="rfc7009" if doc.get("revocation_endpoint") else "none",
        token_auth=(
            "client_secret_post" if "client_secret_post" in methods else "client_secret_basic"
        ),
    )


class ProviderRegistry:
    """The providers configured on this server; OIDC ones are discovered on first use."""

    def __init__(
        self,
        providers: Mapping[str, OAuthProvider] | None = None,
        oidc: Mapping[str, OidcConfig] | None = None,
        *,
        http: Callable[[], httpx.AsyncClient] = lambda: httpx.AsyncClient(timeout=15),
    ) -> None:
        self._known: dict[str, OAuthProvider] = dict(providers or {})
        self._oidc = dict(oidc or {})
        self._http = http
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "ProviderRegistry":
        known: dict[str, OAuthProvider] = {}
        if settings.github_client_id and settings.github_client_secret:
            known["github"] = github(settings.github_client_id, settings.github_client_secret)
        if settings.google_client_id and settings.google_client_secret:
            known["google"] = google(settings.google_client_id, settings.google_client_secret)
        oidc = {}
        if settings.oidc_issuer and settings.oidc_client_id:
            oidc["oidc"] = OidcConfig(
                name="oidc",
                title="OpenID Connect",
                issuer=settings.oidc_issuer,
                client_id=settings.oidc_client_id,
                client_secret=settings.oidc_client_secret,
                scopes=tuple(settings.oidc_scopes.split()),
            )
        return cls(known, oidc)

    def names(self) -> list[str]:
        return sorted({*self._known, *self._oidc})

    def title(self, name: str) -> str:
        """How the UI names a provider: its OAuth2 app's title, a known service's name, or
        the id made readable ("some_service" -> "Some Service")."""
        found = self._known.get(name) or self._oidc.get(name)
        if found is not None:
            return found.title
        return SERVICE_TITLES.get(name) or name.replace("_", " ").title()

    async def get(self, name: str) -> OAuthProvider:
        """The provider; NotFoundError when this server has no OAuth2 app for it."""
        found = self._known.get(name)
        if found is not None:
            return found
        config = self._oidc.get(name)
        if config is None:
            raise NotFoundError(f"OAuth2 provider {name!r} is not configured on this server")
        async with self._lock:
            if name not in self._known:
                async with self._http() as http:
                    self._known[name] = await discover(config, http)
        return self._known[name]
