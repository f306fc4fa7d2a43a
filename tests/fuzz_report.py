"""How long the fuzz runs, and what it sent: the time budget, the tally of requests by backend,
part and operation, and the summary printed at the end of the run (a pytest plugin) and kept
in test-artifacts/fuzz/summary.json.

The budget (`USERPOOL_FUZZ_SECONDS`, 30 by default) is the fuzz's time on both backends, split
between them and between its parts; each part's examples are as many as fit in its share at
the rate measured so far.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUDGET_SECONDS = float(os.environ.get("USERPOOL_FUZZ_SECONDS", "30"))
SEED = int(os.environ.get("USERPOOL_FUZZ_SEED", "17"))
BACKEND_COUNT = 2
# The share of a backend's time that goes to the model fuzz of each operation; the rest is
# split evenly between the parts that check that refused requests change nothing.
MODEL_SHARE = 0.55
FIRST_GUESS_SECONDS = 0.01  # per example, before any has been timed
MIN_EXAMPLES = 3  # sent whatever the time: each operation, each part, gets at least these
BATCH_MAX = 200
FIRST_BATCH_MAX = 20  # before the rate is measured
ARTIFACT = Path(__file__).resolve().parent.parent / "test-artifacts" / "fuzz" / "summary.json"
PER_OPERATION_COLUMNS = 3


def backend_seconds() -> float:
    return BUDGET_SECONDS / BACKEND_COUNT


@dataclass
class Share:
    """One test's share of the budget, spent in batches: each batch a Hypothesis run of as many
    examples as the rest of the share holds at the rate measured so far (at most BATCH_MAX, so
    that a wrong guess is soon corrected). A batch runs whole: Hypothesis needs each example's
    draws to depend on its choices alone, not on the clock."""

    seconds: float
    per_example: float
    measured: bool  # whether `per_example` was measured, or is a first guess
    started: float = field(default_factory=time.monotonic)
    sent: int = 0

    def next_batch(self) -> int:
        """How many examples the next batch has; 0 when the share is spent."""
        left = self.seconds - (time.monotonic() - self.started)
        if left <= 0:
            return max(0, MIN_EXAMPLES - self.sent)
        most = BATCH_MAX if self.measured else FIRST_BATCH_MAX
        return max(MIN_EXAMPLES - self.sent, min(most, int(left / self.per_example)), 1)

    def record(self, examples: int, seconds: float) -> None:
        self.sent += examples
        if examples:
            self.per_example = seconds / examples
            self.measured = True


@dataclass
class Tally:
    """Every request the fuzz sent, by (backend, part, operation), with statuses and error types,
    and the seconds each part took."""

    requests: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    statuses: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    errors: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    seconds: defaultdict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    examples: Counter[tuple[str, str]] = field(default_factory=Counter)

    def share(self, backend: str, part: str, seconds: float) -> Share:
        """A share of `seconds` for `part`, its first guess at the rate the part's so far."""
        done = self.examples[(backend, part)]
        if not done:
            return Share(seconds, FIRST_GUESS_SECONDS, measured=False)
        return Share(seconds, self.seconds[(backend, part)] / done, measured=True)

    def run(self, share: Share, backend: str, part: str, batch: Callable[[int, int], int]) -> None:
        """`batch(examples, number)` (which returns how many requests it sent) until `share` is
        spent."""
        number = 0
        while examples := share.next_batch():
            started = time.monotonic()
            share.record(batch(examples, number), time.monotonic() - started)
            number += 1
        self.seconds[(backend, part)] += time.monotonic() - share.started
        self.examples[(backend, part)] += share.sent

    def count(self, backend: str, part: str, operation: str, status: int, error: str) -> None:
        self.requests[(backend, part, operation)] += 1
        self.statuses[(backend, part, status)] += 1
        if error:
            self.errors[(backend, part, error)] += 1

    def total(self) -> int:
        return sum(self.requests.values())

    def lines(self) -> list[str]:
        """The summary: requests by part and backend (with their rate while that part ran),
        then by operation (all parts, both backends)."""
        if not self.requests:
            return []
        seconds = sum(self.seconds.values())
        rate = self.total() / seconds if seconds else 0.0
        backends = sorted({backend for backend, _, _ in self.requests})
        fives = sum(n for (_, _, status), n in self.statuses.items() if status >= 500)
        out = [
            f"{self.total()} requests in {seconds:.1f} s of fuzzing ({rate:.0f}/s), seed {SEED}, "
            f"budget {BUDGET_SECONDS:g} s (USERPOOL_FUZZ_SECONDS); 5xx answers: {fives}",
            f"{'part':<10}" + "".join(f"{b:>18}" for b in backends) + f"{'2xx':>8}{'4xx':>8}",
        ]
        for part in sorted({part for _, part, _ in self.requests}):
            cells = "".join(f"{self._cell(backend, part):>18}" for backend in backends)
            ok, refused = (self._statuses(part, low, low + 100) for low in (200, 400))
            out.append(f"{part:<10}{cells}{ok:>8}{refused:>8}")
        by_operation: Counter[str] = Counter()
        for (_, _, operation), n in self.requests.items():
            by_operation[operation] += n
        out.append(f"requests per operation ({len(by_operation)} names, all parts and backends):")
        cells = [f"{operation} {n}" for operation, n in sorted(by_operation.items())]
        width = max(len(cell) for cell in cells) + 2
        for start in range(0, len(cells), PER_OPERATION_COLUMNS):
            row = cells[start : start + PER_OPERATION_COLUMNS]
            out.append("  " + "".join(cell.ljust(width) for cell in row).rstrip())
        return out

    def _cell(self, backend: str, part: str) -> str:
        sent = sum(n for (b, p, _), n in self.requests.items() if b == backend and p == part)
        seconds = self.seconds.get((backend, part), 0.0)
        return f"{sent} ({sent / seconds:.0f}/s)" if seconds else str(sent)

    def _statuses(self, part: str, low: int, high: int) -> int:
        return sum(n for (_, p, s), n in self.statuses.items() if p == part and low <= s < high)

    def as_json(self) -> dict[str, Any]:
        nested: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        for (backend, part, operation), n in sorted(self.requests.items()):
            nested[backend][part][operation] = n
        return {
            "budget_seconds": BUDGET_SECONDS,
            "seed": SEED,
            "requests": self.total(),
            "seconds": {f"{b}/{p}": round(s, 3) for (b, p), s in sorted(self.seconds.items())},
            "statuses": {f"{b}/{p}/{s}": n for (b, p, s), n in sorted(self.statuses.items())},
            "errors": {f"{b}/{p}/{e}": n for (b, p, e), n in sorted(self.errors.items())},
            "by_operation": nested,
        }


TALLY = Tally()


class SummaryPlugin:
    """Registered by the fuzz module while it runs: prints the tally after the tests' results
    (in every run, -q or not) and writes it to test-artifacts."""

    def pytest_sessionfinish(self) -> None:
        """Kept in test-artifacts (under xdist this runs in the worker that fuzzed, which has
        no terminal: tests/conftest.py prints the kept lines in the main process)."""
        lines = TALLY.lines()
        if not lines:
            return
        ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
        ARTIFACT.write_text(json.dumps(TALLY.as_json(), indent=1) + "\n")
        ARTIFACT.with_suffix(".txt").write_text("\n".join(lines) + "\n")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        print_summary(terminalreporter)


def print_summary(terminalreporter: Any, since: float = 0.0) -> None:
    """The lines kept by the last fuzz run, if it ended after `since` (a time.time())."""
    kept = ARTIFACT.with_suffix(".txt")
    if not kept.exists() or kept.stat().st_mtime < since:
        return
    terminalreporter.write_sep("=", "userpool fuzz")
    for line in kept.read_text().splitlines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"(also in {ARTIFACT})")
