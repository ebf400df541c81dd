"""The bot's queue of pending updates, with getUpdates' offset and allowed_updates rules."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_ALLOWED", "UpdateQueue", "update_type"]

# What Telegram sends when allowed_updates is empty or was never set.
_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
DEFAULT_ALLOWED: frozenset[str] | None = None  # None means "everything but _NOT_BY_DEFAULT"


def update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


@dataclass
class _Entry:
    update: dict[str, Any]
    delivered: bool = False
    # Injected with a caller-chosen update_id (e.g. a duplicate): confirmed only once delivered,
    # so an old id is not swallowed by an offset that already passed it.
    injected: bool = False


class UpdateQueue:
    def __init__(self, first_update_id: int = 1) -> None:
        self.next_update_id = first_update_id
        self._pending: list[_Entry] = []
        self.allowed: frozenset[str] | None = DEFAULT_ALLOWED
        self.log: list[dict[str, Any]] = []  # every update ever queued, for tests

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue a new update (``body`` without update_id); returns it with its id."""
        update = {"update_id": self.next_update_id, **body}
        self.next_update_id += 1
        self._pending.append(_Entry(update))
        self.log.append(update)
        return update

    def inject(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update; keeps its update_id if it has one (to simulate duplicates)."""
        update = copy.deepcopy(raw)
        if "update_id" not in update:
            return self.add(update)
        update_id = int(update["update_id"])
        self.next_update_id = max(self.next_update_id, update_id + 1)
        self._pending.append(_Entry(update, injected=True))
        self.log.append(update)
        return update

    def is_allowed(self, update: dict[str, Any]) -> bool:
        kind = update_type(update)
        if self.allowed is None:
            return kind not in _NOT_BY_DEFAULT
        return kind in self.allowed

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Telegram keeps the last given list; an empty list restores the default."""
        if allowed is None:
            return
        self.allowed = frozenset(allowed) if allowed else DEFAULT_ALLOWED

    def confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            # A negative offset keeps only the last -offset updates and forgets the rest.
            self._pending = self._pending[offset:]
            return
        self._pending = [
            entry
            for entry in self._pending
            if entry.update["update_id"] >= offset or (entry.injected and not entry.delivered)
        ]

    def peek(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` deliverable updates; filtered-out types are dropped for good."""
        self._pending = [entry for entry in self._pending if self.is_allowed(entry.update)]
        batch = self._pending[:limit]
        for entry in batch:
            entry.delivered = True
        return [copy.deepcopy(entry.update) for entry in batch]

    def remove(self, update_id: int) -> None:
        """Confirm one update (webhook delivery succeeded)."""
        for index, entry in enumerate(self._pending):
            if entry.update["update_id"] == update_id:
                del self._pending[index]
                return

    def clear(self) -> None:
        self._pending.clear()
