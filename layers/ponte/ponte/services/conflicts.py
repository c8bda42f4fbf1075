"""The other half of optimistic concurrency: a unit of work the store refused because the account moved on since it
was read (`ConcurrentModification`) is read, decided and written again, after a pause, while the caller has time.

The pauses grow exponentially and are drawn at random below that bound ("full jitter", from AWS's Architecture Blog,
"Exponential Backoff and Jitter"): writers that collided once spread out instead of colliding again in step. A
caller with a deadline (a Lambda's remaining time) says so; it then tries for as long as the deadline allows, and
stops when one more pause would leave less than `reserve` for the attempt and the answer. A caller without one tries
`attempts` times. Either way, `StillConflicting` then tells the trigger to deliver again later.

`tests/integration/test_account_bursts.py` measures the schedule with twenty deliveries for one account at once.

Only conflicts are retried here. Throttling and the service's own faults are retried by botocore inside each call;
duplicates and refusals are answers, not conflicts, and pass straight through.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ponte.domain.errors import ConcurrentModification


class StillConflicting(ConcurrentModification):
    """The account kept changing for as long as the caller could wait: nothing was written, deliver it again."""

    def __init__(self, reason: str, *, attempts: int, waited: float) -> None:
        super().__init__(reason)
        self.attempts = attempts
        self.waited = waited


@dataclass(frozen=True)
class ConflictRetry:
    """How long a unit of work may keep trying against concurrent writers of the same account.

    `deadline` is a moment on `clock` (seconds) by which the caller must have answered; `attempts` bounds the work
    by count (None: the deadline alone does). `sleep` and `jitter` are the real ones unless a test passes fakes.
    """

    deadline: float | None = None
    attempts: int | None = 12
    reserve: float = 1.0  # one attempt (a query and a transaction, tens of ms) and the answer fit with room to spare
    base: float = 0.025  # about one attempt (a query and a transaction): the writer that won is done by then
    cap: float = 0.5  # however often it lost, a writer tries again within half a second
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    jitter: Callable[[float, float], float] = field(default=random.uniform, repr=False)

    def __post_init__(self) -> None:
        if self.deadline is None and self.attempts is None:
            raise ValueError("a retry needs a deadline or a number of attempts")

    @classmethod
    def within(cls, seconds: float) -> ConflictRetry:
        """Keep trying for as long as `seconds` from now allow (for a Lambda, its remaining time)."""
        return cls(deadline=time.monotonic() + seconds, attempts=None)

    def pause(self, attempt: int) -> float:
        """The pause after the `attempt`-th conflict: at random below min(cap, base · 2^(attempt-1))."""
        return self.jitter(0.0, min(self.cap, self.base * 2 ** (attempt - 1)))

    def run[T](self, work: Callable[[int], T]) -> T:
        """Call `work(attempt)` (1, 2, …) until it returns without a conflict. `work` reads what it needs afresh
        each time: a change decided on what was read before the conflict is stale. Raises StillConflicting when
        the attempts or the time run out."""
        waited = 0.0
        attempt = 1
        while True:
            try:
                return work(attempt)
            except ConcurrentModification as conflict:
                if self.attempts is not None and attempt >= self.attempts:
                    raise StillConflicting(
                        f"still conflicting after {attempt} attempts: {conflict}", attempts=attempt, waited=waited
                    ) from conflict
                pause = self.pause(attempt)
                if self.deadline is not None and self.deadline - self.clock() - pause < self.reserve:
                    raise StillConflicting(
                        f"out of time after {attempt} attempts: {conflict}", attempts=attempt, waited=waited
                    ) from conflict
            self.sleep(pause)
            waited += pause
            attempt += 1


NO_DEADLINE = ConflictRetry()
"""For a caller with no deadline of its own: a dozen attempts, a few seconds of pauses at most."""
