"""A user's OAuth2 sign-in, from the login URL to saved credentials.

1. :meth:`OAuthFlow.start` makes a state token and a PKCE verifier, stores the state
   (hashed, bound to the user and provider, ten minutes) and returns the provider's login
   URL. The browser goes there and comes back to the front end's callback page with
   ``code`` and ``state``.
2. :meth:`OAuthFlow.finish` takes the state (once, only for the same user and provider,
   before it expires), trades the code and verifier for tokens, asks the provider whose
   account it is, and saves the tokens in the vault.
"""

import hashlib
import secrets
import time

import httpx

from blockyard.errors import PermissionDeniedError
from blockyard.integrations.credentials import CredentialsVault, HttpFactory
from blockyard.integrations.drafts import CredentialMeta
from blockyard.integrations.oauth.client import (
    OAuthClient,
    TokenSet,
    challenge_for,
    new_verifier,
)
from blockyard.store.oauth_states import OAuthState, OAuthStateRepo

STATE_SECONDS = 600.0
CALLBACK_PATH = "/auth/integrations/oauth_callback"


def hash_state(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class OAuthFlow:
    def __init__(
        self,
        vault: CredentialsVault,
        states: OAuthStateRepo,
        redirect_uri: str,
        *,
        http: HttpFactory = lambda: httpx.AsyncClient(timeout=15, trust_env=False),
    ) -> None:
        self.vault = vault
        self.states = states
        self.redirect_uri = redirect_uri
        self._http = http

    async def start(
        self, user_id: str, provider_name: str, scopes: tuple[str, ...] = ()
    ) -> tuple[str, str]:
        """``(login_url, state_token)`` for the user to sign in at the provider."""
        provider = await self.vault.providers.get(provider_name)
        wanted = tuple(dict.fromkeys((*provider.default_scopes, *scopes)))
        token, verifier = secrets.token_urlsafe(32), new_verifier()
        await self.states.add(
            OAuthState(
                token_hash=hash_state(token),
                user_id=user_id,
                provider=provider.name,
                code_verifier=verifier,
                scopes=wanted,
                redirect_uri=self.redirect_uri,
                expires_at=time.time() + STATE_SECONDS,
            )
        )
        async with self._http() as http:
            url = OAuthClient(provider, http).authorize_url(
                state=token,
                code_challenge=challenge_for(verifier),
                scopes=wanted,
                redirect_uri=self.redirect_uri,
            )
        return url, token

    async def finish(
        self, user_id: str, provider_name: str, code: str, state_token: str
    ) -> CredentialMeta:
        """Exchange the code and save the credentials; 403 for an unknown or used state."""
        provider = await self.vault.providers.get(provider_name)
        state = await self.states.take(hash_state(state_token), user_id, provider.name)
        if state is None:
            raise PermissionDeniedError(
                "This sign-in is unknown, was already used or has expired; start it again"
            )
        async with self._http() as http:
            client = OAuthClient(provider, http)
            tokens = await client.exchange_code(
                code, state.code_verifier, state.redirect_uri, state.scopes
            )
            username = await _username(client, tokens)
        title = f"{provider.title} ({username})" if username else provider.title
        return await self.vault.store_tokens(user_id, provider.name, tokens, username, title)


async def _username(client: OAuthClient, tokens: TokenSet) -> str | None:
    """Who signed in, for the title; a provider without userinfo leaves it unknown."""
    info = await client.userinfo(tokens.access_token)
    return client.username(info)


def redirect_uri_for(platform_url: str) -> str:
    return platform_url.rstrip("/") + CALLBACK_PATH
