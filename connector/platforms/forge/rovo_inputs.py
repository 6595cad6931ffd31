"""The Rovo actions' answers and inputs: every answer is a sentence the agent relays; a refusal
or bad inputs end the action (`Unanswered`) before anything is written.

Inputs are what the model extracted (rovo-action page): read by type here, every problem collected
and told at once, in the inputs' own names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.domain.caller import Caller

NO_USER = (
    "I can only do this for a signed-in user, and this request names none: open the agent "
    "from Jira or Confluence while signed in."
)


@dataclass(frozen=True)
class Answer:
    outcome: str  # answered | drafted | recorded | refused | invalid
    message: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "message": self.message, **self.data}


class Unanswered(Exception):
    """The action ends with a sentence and writes nothing (a refusal, or bad inputs)."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.answer = Answer(outcome, message)


def refused(message: str) -> Unanswered:
    return Unanswered("refused", message)


def invalid(message: str) -> Unanswered:
    return Unanswered("invalid", f"{message} Nothing was written.")


class Inputs:
    """The action's inputs, read by type; every problem is collected, then told at once."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.problems: list[str] = []

    def _given(self, name: str) -> Any:
        value = self.values.get(name)
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._given(name)
        if value is None:
            if required:
                self.problems.append(f"{name} is needed")
            return None
        if not isinstance(value, str):
            self.problems.append(f"{name} must be text (got {value!r})")
            return None
        return value

    def integer(self, name: str, low: int, high: int, *, required: bool = False) -> int | None:
        value = self._given(name)
        if value is None:
            if required:
                self.problems.append(f"{name} is needed (a whole number from {low} to {high})")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problems.append(
                f"{name} must be a whole number from {low} to {high} (got {value!r})"
            )
            return None
        return value

    def number(self, name: str) -> float | None:
        value = self._given(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            self.problems.append(f"{name} must be a number (got {value!r})")
            return None
        return float(value)

    def flag(self, name: str) -> bool:
        value = self._given(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problems.append(f"{name} must be true or false (got {value!r})")
            return False
        return value

    def check(self) -> None:
        if self.problems:
            raise invalid("I could not use these inputs: " + "; ".join(self.problems) + ".")


def require_user(caller: Caller) -> str:
    if caller.account_id is None:
        raise refused(NO_USER)
    return caller.account_id
