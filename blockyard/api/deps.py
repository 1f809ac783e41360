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
from blockyard.api.limits import limit_api_key
from blockyard.errors import AuthError, PermissionDeniedError
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
    """The caller, from ``X-API-Key`` or ``Authorization: Bearer``; 401 when neither works.

    A request made with an API key counts against that key's rate limit (429 past it).
    """
    if api_key:
        principal = await principal_from_api_key(container, api_key)
    elif bearer is not None and bearer.credentials:
        principal = await authenticate(container, bearer.credentials)
    else:
        raise AuthError("Not authenticated")
    if principal.api_key_id is not None:
        await limit_api_key(container, principal.api_key_id)
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: CurrentUser) -> Principal:
        principal.require(scope)
        return principal

    return check


async def require_admin(principal: CurrentUser) -> Principal:
    """Administrators only (``blockyard user create --admin``); 403 for everyone else."""
    if not principal.is_admin:
        raise PermissionDeniedError("Only an administrator may do this")
    principal.require(Scope.MANAGE)
    return principal


Admin = Annotated[Principal, Depends(require_admin)]
Reader = Annotated[Principal, Depends(require(Scope.READ))]
Executor = Annotated[Principal, Depends(require(Scope.EXECUTE))]
Manager = Annotated[Principal, Depends(require(Scope.MANAGE))]
