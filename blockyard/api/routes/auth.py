"""Accounts and sessions: register, login, refresh (rotating), logout, who am I."""

from fastapi import APIRouter, Request, Response

from blockyard.api import auth
from blockyard.api.deps import ContainerDep, CurrentUser
from blockyard.api.limits import limit_login
from blockyard.api.schemas import (
    LoginRequest,
    RefreshRequest,
    TokenPairPublic,
    UserCreate,
    UserPublic,
)
from blockyard.errors import PermissionDeniedError
from blockyard.wiring import Container

router = APIRouter(prefix="/api/auth", tags=["auth"])


async def register_user(container: Container, body: UserCreate) -> UserPublic:
    """Create an account; the email must be new (the store raises ``ConflictError``)."""
    if not container.settings.allow_registration:
        raise PermissionDeniedError("Registration is closed on this server")
    password_hash = await auth.hash_password(body.password)
    user = await container.repos.users.create(body.email, password_hash, name=body.name)
    return UserPublic.model_validate(user)


def _pair(pair: auth.TokenPair) -> TokenPairPublic:
    return TokenPairPublic(access_token=pair.access_token, refresh_token=pair.refresh_token)


@router.post("/register", status_code=201)
async def register(container: ContainerDep, body: UserCreate) -> UserPublic:
    return await register_user(container, body)


@router.post("/login")
async def login(container: ContainerDep, body: LoginRequest, request: Request) -> TokenPairPublic:
    await limit_login(container, body.email, request.client.host if request.client else None)
    return _pair(await auth.login(container, body.email, body.password))


@router.post("/refresh")
async def refresh(container: ContainerDep, body: RefreshRequest) -> TokenPairPublic:
    return _pair(await auth.rotate_refresh(container, body.refresh_token))


@router.post("/logout", status_code=204)
async def logout(container: ContainerDep, body: RefreshRequest) -> Response:
    await auth.logout(container, body.refresh_token)
    return Response(status_code=204)


@router.get("/me")
async def me(container: ContainerDep, user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(await auth.current_user(container, user))
