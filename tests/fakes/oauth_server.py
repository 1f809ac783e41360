"""A real OAuth2 authorization server on 127.0.0.1, built with authlib's server classes.

Authorization code with PKCE (S256, required), refresh tokens that rotate (the old one is
revoked on use), RFC 7009 revocation, a userinfo endpoint and an OpenID discovery
document. The ``/authorize`` endpoint consents at once for the user ``ada`` and redirects
to the client's ``redirect_uri`` with ``code`` and ``state``, as a provider does after the
user clicks "Allow". Tests see what happened in ``refresh_calls``, ``tokens`` and can
revoke tokens from the provider side with :meth:`FakeOAuthServer.revoke_all`.
"""

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
from authlib.oauth2 import rfc7009
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    JsonRequest,
    OAuth2Request,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7636 import CodeChallenge

from tests.fakes.http_server import LocalHttpServer, Received, Reply

USER = {"sub": "u-ada", "email": "ada@example.org", "preferred_username": "ada"}


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    code_challenge_method: str

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class Token(TokenMixin):
    client_id: str
    access_token: str
    refresh_token: str | None
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False

    def check_client(self, client: ClientMixin) -> bool:
        return self.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> dict[str, str]:
        return USER

    def get_client(self) -> ClientMixin:
        raise NotImplementedError


class _Request(OAuth2Request):
    def __init__(self, received: Received, base: str) -> None:
        query = {k: v[0] for k, v in received.query.items()}
        form = {k: v[0] for k, v in parse_qs(received.body.decode()).items()}
        super().__init__(
            received.method, base + received.path, headers=httpx.Headers(received.headers)
        )
        self._args, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _Server(AuthorizationServer):
    def __init__(self, owner: "FakeOAuthServer") -> None:
        super().__init__()
        self.owner = owner

    def query_client(self, client_id: str) -> Client | None:
        client = self.owner.client
        return client if client_id == client.client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        self.owner.tokens.append(
            Token(
                client_id=request.client.get_client_id(),
                access_token=token["access_token"],
                refresh_token=token.get("refresh_token"),
                scope=token.get("scope", ""),
                expires_in=int(token.get("expires_in", 0)),
            )
        )

    def create_oauth2_request(self, request: Received) -> OAuth2Request:
        return _Request(request, self.owner.http.url(""))

    def create_json_request(self, request: Received) -> JsonRequest:
        raise NotImplementedError

    def handle_response(self, status: int, body: Any, headers: Any) -> Reply:
        data = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
        return Reply(status, data, dict(headers or ()))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        self.server.owner.codes[code] = Code(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=data.get("redirect_uri", ""),
            scope=data.get("scope", ""),
            code_challenge=data.get("code_challenge", ""),
            code_challenge_method=data.get("code_challenge_method", ""),
        )

    def query_authorization_code(self, code: str, client: ClientMixin) -> Code | None:
        found = self.server.owner.codes.get(code)
        return found if found and found.client_id == client.get_client_id() else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.server.owner.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> dict[str, str]:
        return USER


class _RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        self.server.owner.refresh_calls += 1
        for token in self.server.owner.tokens:
            if token.refresh_token == refresh_token and not token.revoked:
                return token
        return None

    def authenticate_user(self, credential: Token) -> dict[str, str]:
        return USER

    def revoke_old_credential(self, refresh_token: Token) -> None:
        refresh_token.revoked = True


class _Revocation(rfc7009.RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        for token in self.server.owner.tokens:
            if token_string in (token.access_token, token.refresh_token):
                return token
        return None

    def revoke_token(self, token: Token, request: OAuth2Request) -> None:
        token.revoked = True
        self.server.owner.revocations += 1


class FakeOAuthServer:
    def __init__(
        self,
        redirect_uri: str = "http://127.0.0.1:8000/auth/integrations/oauth_callback",
        *,
        access_ttl: int = 3600,
    ) -> None:
        self.http = LocalHttpServer()
        self.client = Client("blockyard-test", secrets.token_urlsafe(16), (redirect_uri,))
        self.codes: dict[str, Code] = {}
        self.tokens: list[Token] = []
        self.refresh_calls = 0
        self.revocations = 0
        self._lock = threading.Lock()
        self.server = _Server(self)
        self.server.register_token_generator("default", self._token_generator(access_ttl))
        self.server.register_grant(_CodeGrant, [CodeChallenge(required=True)])
        self.server.register_grant(_RefreshGrant)
        self.server.register_endpoint(_Revocation)
        for path, route in {
            "/authorize": self._authorize,
            "/token": self._token,
            "/revoke": self._revoke,
            "/userinfo": self._userinfo,
            "/.well-known/openid-configuration": self._discovery,
        }.items():
            self.http.route(path, route)

    def _token_generator(self, ttl: int) -> Any:
        from authlib.oauth2.rfc6750 import BearerTokenGenerator

        def make(*_args: Any, **_kwargs: Any) -> str:
            return secrets.token_urlsafe(24)

        return BearerTokenGenerator(make, make, lambda client, grant_type: ttl)

    def __enter__(self) -> "FakeOAuthServer":
        self.http.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.http.__exit__(None, None, None)

    def url(self, path: str = "") -> str:
        return self.http.url(path)

    def revoke_all(self) -> None:
        """The user revokes the app at the provider: every token stops working."""
        with self._lock:
            for token in self.tokens:
                token.revoked = True

    def live_access_tokens(self) -> set[str]:
        return {t.access_token for t in self.tokens if not t.revoked and not t.is_expired()}

    # -- endpoints ---------------------------------------------------------------------------
    def _authorize(self, received: Received) -> Reply:
        with self._lock:
            try:
                grant = self.server.get_consent_grant(received, end_user=USER)
            except OAuth2Error as error:
                return Reply.json(dict(error.get_body()), error.status_code)
            return self.server.create_authorization_response(received, USER, grant)

    def _token(self, received: Received) -> Reply:
        with self._lock:
            return self.server.create_token_response(received)

    def _revoke(self, received: Received) -> Reply:
        with self._lock:
            return self.server.create_endpoint_response("revocation", received)

    def _userinfo(self, received: Received) -> Reply:
        token = received.headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            if token not in self.live_access_tokens():
                return Reply.json({"error": "invalid_token"}, 401)
        return Reply.json(USER)

    def _discovery(self, received: Received) -> Reply:
        return Reply.json(
            {
                "issuer": self.url(),
                "authorization_endpoint": self.url("/authorize"),
                "token_endpoint": self.url("/token"),
                "revocation_endpoint": self.url("/revoke"),
                "userinfo_endpoint": self.url("/userinfo"),
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )
