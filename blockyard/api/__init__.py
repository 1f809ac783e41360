"""The HTTP and WebSocket API: thin routes over the container built in ``wiring``."""
