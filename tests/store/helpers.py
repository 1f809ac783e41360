"""Types shared by the store tests (fixtures live in conftest.py)."""

from collections.abc import Awaitable, Callable

from blockyard.store.users import User

MakeUser = Callable[..., Awaitable[User]]
"""``await make_user("ann")``: a new account ann@example.com."""
