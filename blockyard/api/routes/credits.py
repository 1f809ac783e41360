"""Credits: a user's balance and transactions; administrators' top-ups, grants, refunds.

Every user route reads the caller's own ledger only. The ``/api/admin/users/{user_id}``
routes are for administrators (403 for everyone else) and 404 for an unknown user. With
credits off (``BLOCKYARD_CREDITS_ENABLED=false``) the routes still answer, ``enabled`` says
so, and no account is opened (so no sign-up grant is made).
"""

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Query

from blockyard.api.deps import Admin, ContainerDep, Reader
from blockyard.api.schemas import MAX_INT
from blockyard.api.schemas_credits import (
    CreditAdjustment,
    CreditsPublic,
    CreditTransactionAdmin,
    CreditTransactionAdminPage,
    CreditTransactionPage,
    CreditTransactionPublic,
)
from blockyard.errors import NotFoundError
from blockyard.store.credit_repo import TransactionPage
from blockyard.store.ledger import CreditKind, Transaction
from blockyard.wiring import Container

router = APIRouter(tags=["credits"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_INT)]
Kind = Annotated[CreditKind | None, Query(description="Only transactions of this kind.")]


async def _open(container: Container, user_id: str) -> str:
    """Open the user's account (with the sign-up grant) when credits are on."""
    if container.settings.credits_enabled:
        await container.repos.credits.open(user_id)
    return user_id


async def credits_of(container: Container, user_id: str) -> CreditsPublic:
    account = await container.repos.credits.account(await _open(container, user_id))
    return CreditsPublic(
        enabled=container.settings.credits_enabled,
        balance=account.balance,
        reserved=account.reserved,
        available=account.balance - account.reserved,
    )


def _fields(transaction: Transaction, graph_id: str | None) -> dict[str, object]:
    return {**dataclasses.asdict(transaction), "graph_id": graph_id}


def _page(page: TransactionPage) -> CreditTransactionPage:
    return CreditTransactionPage(
        transactions=[
            CreditTransactionPublic.model_validate(_fields(t, graph))
            for t, graph in page.transactions
        ],
        total=page.total,
    )


async def _existing_user(container: Container, user_id: str) -> str:
    if await container.repos.users.get(user_id) is None:
        raise NotFoundError(f"User {user_id} not found", user_id=user_id)
    return user_id


@router.get("/api/credits")
async def get_credits(container: ContainerDep, user: Reader) -> CreditsPublic:
    """Your balance, what running nodes hold of it, and whether credits are on."""
    return await credits_of(container, user.user_id)


@router.get("/api/credits/transactions")
async def list_transactions(
    container: ContainerDep, user: Reader, kind: Kind = None, limit: Limit = 50, offset: Offset = 0
) -> CreditTransactionPage:
    """Your transactions, newest first."""
    user_id = await _open(container, user.user_id)
    return _page(await container.repos.credits.transactions(user_id, kind, limit, offset))


@router.get("/api/admin/users/{user_id}/credits", tags=["admin"])
async def admin_get_credits(container: ContainerDep, admin: Admin, user_id: str) -> CreditsPublic:
    """A user's balance (administrators only)."""
    return await credits_of(container, await _existing_user(container, user_id))


@router.get("/api/admin/users/{user_id}/credits/transactions", tags=["admin"])
async def admin_list_transactions(
    container: ContainerDep,
    admin: Admin,
    user_id: str,
    kind: Kind = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CreditTransactionAdminPage:
    """A user's transactions, newest first, with who added each (administrators only)."""
    user_id = await _open(container, await _existing_user(container, user_id))
    page = await container.repos.credits.transactions(user_id, kind, limit, offset)
    return CreditTransactionAdminPage(
        transactions=[
            CreditTransactionAdmin.model_validate(_fields(t, graph))
            for t, graph in page.transactions
        ],
        total=page.total,
    )


@router.post("/api/admin/users/{user_id}/credits", tags=["admin"], status_code=201)
async def admin_adjust(
    container: ContainerDep, admin: Admin, user_id: str, body: CreditAdjustment
) -> CreditTransactionAdmin:
    """Add a top-up, grant or refund to a user's ledger, with the reason they will see."""
    user_id = await _existing_user(container, user_id)
    posted = await container.repos.credits.add(
        user_id, body.kind, body.amount, body.reason, admin.user_id
    )
    return CreditTransactionAdmin.model_validate(_fields(posted, None))
