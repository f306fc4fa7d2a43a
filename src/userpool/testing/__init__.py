"""A real userpool server for tests: the pytest plugin (`pytest_plugin`, registered by the
`pytest11` entry point), and its parts for any other test runner: start a server
(`running_server`), read its outbox (`Outbox`), move its clock (`Clock`)."""

from userpool.testing.clock import Clock
from userpool.testing.outbox import Outbox
from userpool.testing.pools import Pool, cognito_client, create_fresh_pool
from userpool.testing.server import RunningServer, ServerFailed, running_server, start

__all__ = [
    "Clock",
    "Outbox",
    "Pool",
    "RunningServer",
    "ServerFailed",
    "cognito_client",
    "create_fresh_pool",
    "running_server",
    "start",
]
