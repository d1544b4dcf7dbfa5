"""When Python's garbage collector makes its full pass: between responses, not during one.

A full pass walks every long-lived object the collector tracks (the bubbles, their styles,
the session's records …). On the 2-core development machine it took 60–160 ms at turns 4–11
of a session, longer as the conversation grows, and CPython starts it by allocation counts,
so it fell inside about one response in four, between Enter and the client's next line.
While a conversation is on screen the trainer therefore turns the automatic full pass off
(the young generations still run by themselves; each takes about a millisecond) and makes
the pass itself after the client's line is painted, as soon as it is due: once as many
young-generation passes have run as would have started it automatically.
"""

from __future__ import annotations

import gc

# A count of young-generation passes never reached: CPython then starts no full pass itself.
NEVER = 1 << 30


class FullCollections:
    """Defers the collector's full pass to moments the trainer chooses (:meth:`collect_if_due`)."""

    def __init__(self) -> None:
        self.saved: tuple[int, int, int] | None = None  # the thresholds while deferred

    def defer(self) -> None:
        """Stop CPython from starting a full pass by itself (until :meth:`restore`)."""
        if self.saved is None:
            young, middle, full = gc.get_threshold()
            self.saved = (young, middle, full)
            gc.set_threshold(young, middle, NEVER)

    def restore(self) -> None:
        """Let CPython start full passes by itself again, as before :meth:`defer`."""
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None

    def collect_if_due(self) -> bool:
        """Make the full pass now if CPython would have made it by now; True when it ran."""
        if self.saved is None or gc.get_count()[2] < self.saved[2]:
            return False
        gc.collect()
        return True
