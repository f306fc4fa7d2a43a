"""Confirmed devices on SQL (repositories.DeviceRepository)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from userpool.domain.auth_records import Device
from userpool.domain.models import Page
from userpool.storage.prepared import Prepared
from userpool.storage.schema import devices

_DEVICE = Prepared(
    select(devices).where(
        devices.c.pool_id == bindparam("pool_id"), devices.c.key == bindparam("key")
    )
)


def _device(row: Any) -> Device:
    values = row._asdict()
    values["remembered"] = bool(values["remembered"])
    return Device(**values)


def _mine(pool_id: str, sub: str, key: str) -> Any:
    return (devices.c.pool_id == pool_id) & (devices.c.sub == sub) & (devices.c.key == key)


class SqlDevices:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self, pool_id: str, key: str) -> Device | None:
        row = _DEVICE.first(self._db, {"pool_id": pool_id, "key": key})
        return _device(row) if row else None

    def put(self, device: Device) -> bool:
        # A savepoint, so that a key already stored leaves the transaction usable.
        try:
            with self._db.begin_nested():
                self._db.execute(devices.insert().values(**asdict(device)))
        except IntegrityError:
            return False
        return True

    def set_remembered(self, pool_id: str, sub: str, key: str, remembered: bool, at: float) -> bool:
        result = self._db.execute(
            update(devices)
            .where(_mine(pool_id, sub, key))
            .values(remembered=remembered, modified=at)
        )
        return result.rowcount == 1

    def authenticated(self, pool_id: str, key: str, at: float) -> None:
        self._db.execute(
            update(devices)
            .where(devices.c.pool_id == pool_id, devices.c.key == key)
            .values(last_authenticated=at)
        )

    def forget(self, pool_id: str, sub: str, key: str) -> bool:
        result = self._db.execute(delete(devices).where(_mine(pool_id, sub, key)))
        return result.rowcount == 1

    def list(self, pool_id: str, sub: str, limit: int, after: str | None) -> Page:
        query = select(devices).where(devices.c.pool_id == pool_id, devices.c.sub == sub)
        if after is not None:
            query = query.where(devices.c.key > after)
        rows = self._db.execute(query.order_by(devices.c.key).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        return Page([_device(row) for row in rows], rows[-1].key if more else None)
