"""Every error Blockyard raises on purpose, in one tree.

    BlockyardError                      base; carries a message and optional context
    ├── ConfigError                     a setting is missing or wrong
    ├── NotFoundError                   a thing does not exist or is not yours (API: 404)
    ├── PermissionDeniedError           you are known but may not do this (API: 403)
    ├── AuthError                       who you are could not be established (API: 401)
    ├── ConflictError                   the request clashes with the current state (API: 409)
    ├── InvalidValueError               a value given is not acceptable, e.g. a cron (API: 422)
    ├── LimitExceededError              a size limit was hit (API: 413)
    │   └── RateLimitError              too many requests or runs at once (API: 429)
    ├── InsufficientBalanceError        not enough credits to run (API: 402)
    ├── GraphError                      an agent definition is wrong
    │   ├── GraphValidationError        one or more problems, each tied to a node
    │   └── AgentFormatError            an agent JSON file cannot be read
    ├── BlockError                      a block failed; carries block_id, node_id, exec ids
    │   ├── BlockInputError             inputs do not match the block's input schema
    │   ├── BlockExecutionError         the block ran and reported a failure
    │   └── BlockTransientError         a failure worth retrying (network, rate limit)
    └── ExecutionError                  the engine cannot run or continue an execution
        ├── InvalidTransitionError      a status change the transition table forbids
        └── ExecutionStoppedError       the execution was stopped by its owner

In the engine a block's failure is data: it is yielded on the ``error`` pin and stored with
the node execution; these exceptions are how code below the engine reports it.
"""

from typing import Any


class BlockyardError(Exception):
    """Base of every deliberate Blockyard error. ``context`` holds ids for the logs."""

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        return self.message


class ConfigError(BlockyardError):
    pass


class NotFoundError(BlockyardError):
    pass


class PermissionDeniedError(BlockyardError):
    pass


class AuthError(BlockyardError):
    pass


class ConflictError(BlockyardError):
    pass


class InvalidValueError(BlockyardError):
    """A value in a request cannot be used; ``context["field"]`` names it when known."""


class LimitExceededError(BlockyardError):
    pass


class RateLimitError(LimitExceededError):
    """Too many requests, sign-ins or concurrent runs; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float = 1.0, **context: Any) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class InsufficientBalanceError(BlockyardError):
    pass


class GraphError(BlockyardError):
    pass


class GraphValidationError(GraphError):
    """Problems found in a graph. ``problems`` is a list of ``{node_id, field, message}``."""

    def __init__(self, message: str, problems: list[dict[str, Any]], **context: Any) -> None:
        super().__init__(message, **context)
        self.problems = problems


class AgentFormatError(GraphError):
    pass


class BlockError(BlockyardError):
    pass


class BlockInputError(BlockError):
    pass


class BlockExecutionError(BlockError):
    pass


class BlockTransientError(BlockError):
    pass


class ExecutionError(BlockyardError):
    pass


class InvalidTransitionError(ExecutionError):
    pass


class ExecutionStoppedError(ExecutionError):
    pass
