#!/usr/bin/env python
"""Fuzz the one parse: 10,000 random and mutated pages through parse_page, in-process.

Usage::

    python benchmarks/fuzz_parse.py                    # 10,000 cases, seed 0
    python benchmarks/fuzz_parse.py --cases 50000 --seed 7
    python benchmarks/fuzz_parse.py --cli-every 0      # parse_page only, no `newsdb parse` runs

The strategies are benchmarks/fuzz_cases.py's, the ones tests/test_fuzz_parse.py
runs a few hundred of: random bytes, random text in random encodings, fixture and
demo pages after one to three mutations, random trees of news-like tags. The cases
are split over the four families (--cases in all, mutations getting the most);
each one goes through `fuzz_cases.check` (parse_page, then the contract's
properties on the JSON) and every --cli-every'th also through `newsdb parse FILE`.

Every exception is caught and counted. A case that raised, broke a property, or
took over 2 s (or --timeout, when the parse never returns) is a failure: its
bytes and a .json with its URL, headers, profile and strategy are saved under
the printed folder, ready for `newsdb parse FILE --url …`. Exit 1 if any case failed.

Printed: cases in all and per strategy (per family and per mutation), outcome
kinds, failures, cases per second and peak RSS.
"""

from __future__ import annotations

import argparse
import collections
import json
import resource
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from benchmarks.fuzz_cases import STRATEGIES, Case, check, check_cli, seed_pages  # noqa: E402

# Share of the cases per family: mutations of real pages find the most.
WEIGHTS = {"random_bytes": 0.15, "random_text": 0.15, "mutated": 0.5, "tree": 0.2}


class CaseTimeout(Exception):
    """A case ran past --timeout: a hang, reported like a crash."""


def _alarm(signum, frame):
    raise CaseTimeout("no outcome within the timeout")


class Run:
    def __init__(self, out: Path, timeout: float, cli_every: int) -> None:
        self.out, self.timeout, self.cli_every = out, timeout, cli_every
        self.cases = 0
        self.families: collections.Counter = collections.Counter()
        self.mutations: collections.Counter = collections.Counter()
        self.kinds: collections.Counter = collections.Counter()
        self.errors: collections.Counter = collections.Counter()  # why "failed" outcomes failed
        self.failures: list[dict] = []
        self.cli_runs = 0
        self.slowest = (0.0, "")

    def __call__(self, case: Case) -> None:
        self.cases += 1
        self.families[case.family] += 1
        if case.family == "mutated":
            self.mutations.update(set(case.strategy.split(":", 1)[1].split("+")))
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        started = time.perf_counter()
        try:
            result = check(case)
            self.kinds[result.kind] += 1
            if result.kind == "failed":
                self.errors[(result.error or "").split(":")[0]] += 1
            problems = result.problems
            if self.cli_every and self.cases % self.cli_every == 0:
                self.cli_runs += 1
                problems = problems + check_cli(case, self.out / "cli-input.html")
        except CaseTimeout:
            self.kinds["raised"] += 1
            problems = [f"hang: no outcome in {self.timeout:.0f} s"]
        except Exception as exc:  # everything: the count of these must be zero
            self.kinds["raised"] += 1
            problems = [f"raised {type(exc).__name__}: {exc}"[:500], traceback.format_exc()[-2000:]]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        seconds = time.perf_counter() - started
        if seconds > self.slowest[0]:
            self.slowest = (seconds, case.strategy)
        if problems:
            self._save(case, problems)

    def _save(self, case: Case, problems: list[str]) -> None:
        n = len(self.failures) + 1
        stem = self.out / f"failure-{n:04d}"
        stem.with_suffix(".html").write_bytes(case.body)
        stem.with_suffix(".json").write_text(
            json.dumps({**case.describe(), "problems": problems}, ensure_ascii=False, indent=2), encoding="utf-8")
        self.failures.append({"case": self.cases, "strategy": case.strategy, "problem": problems[0],
                              "input": str(stem.with_suffix(".html"))})


def run_family(name: str, cases: int, seed_value: int, run: Run) -> None:
    """`cases` examples of one family. Generation only: a failure is recorded, not shrunk."""

    @seed(seed_value)
    @settings(max_examples=cases, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(STRATEGIES[name])
    def family(case):
        run(case)

    family()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=10_000, help="cases in all (default 10,000)")
    ap.add_argument("--seed", type=int, default=0, help="hypothesis seed: the same seed, the same cases")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a case counts as a hang")
    ap.add_argument("--cli-every", type=int, default=20, help="every Nth case through `newsdb parse FILE` too (0: none)")
    ap.add_argument("--out", type=Path, help="folder for failing inputs (default: a new temp folder)")
    args = ap.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="newsdb-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGALRM, _alarm)
    run = Run(out, args.timeout, args.cli_every)

    # Warm-up outside the clock: imports, pymorphy3's dictionaries, trafilatura, the profiles.
    warm = seed_pages()[-1]
    check(Case("warm-up", warm.body, url=warm.url, site=warm.site))

    print(f"fuzz_parse: {args.cases:,} cases, seed {args.seed}, {len(seed_pages())} seed pages; failures -> {out}")
    started = time.perf_counter()
    counts = {name: int(args.cases * weight) for name, weight in WEIGHTS.items()}
    counts["mutated"] += args.cases - sum(counts.values())
    for name, count in counts.items():
        family_started = time.perf_counter()
        before = run.cases
        run_family(name, count, args.seed, run)
        done = run.cases - before
        print(f"  {name:<13} {done:>7,} cases  {time.perf_counter() - family_started:7.1f} s", flush=True)
    elapsed = time.perf_counter() - started

    print(f"cases: {run.cases:,} in {elapsed:.1f} s = {run.cases / elapsed:.1f} cases/s; "
          f"`newsdb parse` runs: {run.cli_runs:,}; slowest case {run.slowest[0]:.2f} s ({run.slowest[1]})")
    print("per family: " + ", ".join(f"{k} {v:,}" for k, v in run.families.items()))
    print("per mutation (a case may apply several): "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(run.mutations.items())))
    print("outcomes: " + ", ".join(f"{k} {run.kinds[k]:,}" for k in ("article", "not_article", "failed", "raised")))
    print("failed outcomes by error: " + (", ".join(f"{k} {v:,}" for k, v in run.errors.most_common()) or "none"))
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    print(f"failures: {len(run.failures)}")
    for failure in run.failures[:50]:
        print(f"  case {failure['case']} {failure['strategy']}: {failure['problem']}\n    input: {failure['input']}")
    if len(run.failures) > 50:
        print(f"  … and {len(run.failures) - 50} more under {out}")
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
