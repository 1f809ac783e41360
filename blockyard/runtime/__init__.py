"""Work queue and event bus adapters: in-process (``local``) and Redis (``redis``).

Both pairs implement :class:`~blockyard.engine.ports.WorkQueue` and
:class:`~blockyard.engine.ports.EventBus`; ``wiring`` picks one pair from the settings and
nothing else knows which one runs.
"""

from blockyard.runtime.fanout import FanoutSubscription
from blockyard.runtime.local import LocalBus, LocalDelivery, LocalQueue
from blockyard.runtime.redis import RedisBus, RedisDelivery, RedisQueue

__all__ = [
    "FanoutSubscription",
    "LocalBus",
    "LocalDelivery",
    "LocalQueue",
    "RedisBus",
    "RedisDelivery",
    "RedisQueue",
]
