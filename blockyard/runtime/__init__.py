"""Work queue and event bus adapters: in-process (``local``) and Redis (``redis``).

Both pairs implement :class:`~blockyard.engine.ports.WorkQueue` and
:class:`~blockyard.engine.ports.EventBus`; ``wiring`` picks one pair from the settings and
nothing else knows which one runs. Import the submodule you need: importing this package
does not import the Redis client, so the embedded default never loads it.
"""
