"""What a route may ask for, as ``Annotated`` aliases: the container and the caller.

``CurrentUser`` is any authenticated caller (a session token, or an API key with any
scope); ``Reader``, ``Executor`` and ``Manager`` additionally require that scope, which a
session token always has and an API key only when it was granted.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from blockyard.api.auth import Principal, Scope, authenticate, principal_from_api_key
from blockyard.errors import AuthError
from blockyard.wiring import Container

_bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login.")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_principal(
    container: ContainerDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """The caller, from ``X-API-Key`` or ``Authorization: Bearer``; 401 when neither works."""
    if api_key:
        return await principal_from_api_key(container, api_key)
    if bearer is not None and bearer.credentials:
        return await authenticate(container, bearer.credentials)
    raise AuthError("Not authenticated")


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: CurrentUser) -> Principal:
        principal.require(scope)
        return principal

    return check


Reader = Annotated[Principal, Depends(require(Scope.READ))]
Executor = Annotated[Principal, Depends(require(Scope.EXECUTE))]
Manager = Annotated[Principal, Depends(require(Scope.MANAGE))]
