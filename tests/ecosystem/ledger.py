#!/usr/bin/env python3
"""The ecosystem ledger: every finding of cargo-unblock on real crates, each judged.

    ledger.py check    run the tool on every crate in crates.txt and compare with
                       ledger.tsv: fail on a finding the ledger lacks, or on a TP the
                       tool no longer reports; print precision and actionable share;
                       apply every fix in memory (`--diff --unsafe-fixes`) and fail
                       if one leaves a file that does not parse; compare the output
                       without the cache, with it cold, and warm
    ledger.py record   the same run, appending the findings the ledger lacks as rows
                       with verdict `?` (to be judged by reading the code)
    ledger.py prune    the same run, dropping the rows of findings no longer reported
                       (after a change that meant to drop them; each is printed)
    ledger.py stats    the figures of the ledger as it is

ledger.tsv columns: run, crate, file, line, lint, verdict (TP/FP), actionable (yes/no),
reason. `run` is `default` (the tool as a user runs it in the crate: `cargo unblock`)
or `all-targets` (a random sample of 100 of what `--all-targets` adds: tests, benches,
examples).
"""
import functools
import os
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("UNBLOCK_BIN", os.path.join(ROOT, "target/release/cargo-unblock"))
LEDGER = os.path.join(HERE, "ledger.tsv")
COLUMNS = ["run", "crate", "file", "line", "lint", "verdict", "actionable", "reason"]
RUNS = {"default": [], "all-targets": ["--all-targets"]}


def crates():
    with open(os.path.join(HERE, "crates.txt")) as f:
        for line in f:
            parts = line.split()
            if parts:
                yield parts[0], parts[1]


@functools.lru_cache(maxsize=None)
def toolchain():
    """The toolchain this run uses (a crate's own rust-toolchain.toml may name one
    this machine lacks, and `cargo metadata` would fail on it)."""
    if os.environ.get("RUSTUP_TOOLCHAIN"):
        return os.environ["RUSTUP_TOOLCHAIN"]
    active = subprocess.run(
        ["rustup", "show", "active-toolchain"], capture_output=True, text=True, cwd=ROOT
    )
    return (active.stdout.split() or ["stable"])[0]


def findings(run):
    """Counter of (crate, file, line, lint) for one run over every crate."""
    found = Counter()
    for name, version in crates():
        directory = os.path.join(HERE, "crates", f"{name}-{version}")
        result = subprocess.run(
            [BIN, "--message-format", "short", "--exit-zero", *RUNS[run]],
            cwd=directory,
            capture_output=True,
            text=True,
            # A crate may pin a toolchain (rust-toolchain.toml) this machine lacks.
            env={**os.environ, "RUSTUP_TOOLCHAIN": toolchain()},
        )
        if result.returncode != 0:
            sys.exit(f"ecosystem: exit {result.returncode} on {name}:\n{result.stderr[-2000:]}")
        for line in result.stdout.splitlines():
            # path:line:col: level[unblock::lint] message
            head, _, rest = line.partition(": ")
            path, line_no = head.rsplit(":", 2)[:2]
            lint = rest[rest.index("[unblock::") + 10 : rest.index("]")]
            found[(name, path, line_no, lint)] += 1
    return found


def fixes():
    """Every fix the tool offers on every crate (`--diff --unsafe-fixes --all-targets`),
    applied in memory: the fixed files must still parse. Returns (problems, summary)."""
    problems, fixed, files = [], 0, 0
    for name, version in crates():
        directory = os.path.join(HERE, "crates", f"{name}-{version}")
        result = subprocess.run(
            [BIN, "--diff", "--unsafe-fixes", "--all-targets"],
            cwd=directory,
            capture_output=True,
            text=True,
            env={**os.environ, "RUSTUP_TOOLCHAIN": toolchain()},
        )
        if result.returncode not in (0, 1):
            problems.append(f"fixes: exit {result.returncode} on {name}:\n{result.stderr[-2000:]}")
        for line in result.stderr.splitlines():
            if "was not applied" in line or "did not settle" in line:
                problems.append(f"fixes: {name}: {line}")
            if line.startswith("note: would fix "):
                words = line.split()
                fixed += int(words[3])
                files += int(words[6])
    return problems, f"fixes: {fixed} findings fixed in {files} files, every result parses"


def cache_check():
    """The output with the cache (cold, then warm) is the output without it."""
    problems = []
    for name, version in crates():
        directory = os.path.join(HERE, "crates", f"{name}-{version}")
        outputs = []
        for extra in (["--no-cache"], [], []):
            result = subprocess.run(
                [BIN, "--message-format", "json", "--exit-zero", "--all-targets", *extra],
                cwd=directory,
                capture_output=True,
                text=True,
                env={**os.environ, "RUSTUP_TOOLCHAIN": toolchain()},
            )
            outputs.append(result.stdout)
        if not (outputs[0] == outputs[1] == outputs[2]):
            problems.append(f"cache: {name}: the output differs with the cache")
    return problems, "cache: the output is the same without the cache, cold and warm"


def read_ledger():
    rows = []
    with open(LEDGER) as f:
        header = f.readline().rstrip("\n").split("\t")
        assert header == COLUMNS, f"ledger.tsv header must be {COLUMNS}"
        for number, line in enumerate(f, start=2):
            cells = line.rstrip("\n").split("\t")
            if len(cells) != len(COLUMNS):
                sys.exit(f"ledger.tsv:{number}: {len(cells)} columns, expected {len(COLUMNS)}")
            rows.append(dict(zip(COLUMNS, cells)))
    return rows


def key(row):
    return (row["crate"], row["file"], row["line"], row["lint"])


def figures(rows, label):
    judged = [r for r in rows if r["verdict"] in ("TP", "FP")]
    if not judged:
        return
    tp = sum(r["verdict"] == "TP" for r in judged)
    actionable = sum(r["actionable"] == "yes" for r in judged)
    print(
        f"ecosystem ({label}): {len(judged)} findings judged, {tp} TP, {len(judged) - tp} FP: "
        f"precision {tp / len(judged):.3f}, actionable {actionable / len(judged):.1%}"
    )
    by_lint = Counter((r["lint"], r["verdict"]) for r in judged)
    lints = sorted({lint for lint, _ in by_lint})
    print("  " + ", ".join(f"{l} {by_lint[(l, 'TP')]}/{by_lint[(l, 'TP')] + by_lint[(l, 'FP')]}" for l in lints))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    rows = read_ledger()
    if mode == "stats":
        for run in RUNS:
            figures([r for r in rows if r["run"] == run], run)
        return
    problems, appended, dropped = [], [], []
    for run in RUNS:
        ledger = Counter(key(r) for r in rows if r["run"] == run)
        verdicts = {key(r): r["verdict"] for r in rows if r["run"] == run}
        found = findings(run)
        for k, count in sorted(found.items()):
            missing = count - ledger.get(k, 0)
            if missing > 0 and run == "default":
                problems.append(f"new finding ({run}): {' '.join(k)}" + (f" x{missing}" if missing > 1 else ""))
                appended += [[run, *k, "?", "?", ""]] * missing
        for k in sorted(ledger):
            if k not in found and mode == "prune":
                dropped.append((run, k))
            elif k not in found and verdicts[k] == "TP":
                problems.append(f"lost TP ({run}): {' '.join(k)}")
            elif k not in found:
                print(f"no longer reported (an FP gone; drop its row): {run} {' '.join(k)}")
        reported = [r for r in rows if r["run"] == run and key(r) in found]
        figures(reported, run)
    if mode == "prune":
        gone = set(dropped)
        kept = [r for r in rows if (r["run"], key(r)) not in gone]
        with open(LEDGER, "w") as f:
            f.write("\t".join(COLUMNS) + "\n")
            for r in kept:
                f.write("\t".join(r[c] for c in COLUMNS) + "\n")
        for run, k in sorted(gone):
            row = next(r for r in rows if r["run"] == run and key(r) == k)
            print(f"dropped: {run} {' '.join(k)} {row['verdict']} {row['reason']}")
        return
    if mode == "record":
        with open(LEDGER, "a") as f:
            for row in appended:
                f.write("\t".join(row) + "\n")
        print(f"ecosystem: appended {len(appended)} rows to judge")
        return
    for check in (fixes, cache_check):
        more, summary = check()
        problems += more
        print(summary if not more else "\n".join(more))
    unjudged = [r for r in rows if r["verdict"] not in ("TP", "FP")]
    problems += [f"not judged: {r['run']} {' '.join(key(r))}" for r in unjudged]
    if problems:
        print("\n".join(problems))
        sys.exit(f"ecosystem: {len(problems)} differences from tests/ecosystem/ledger.tsv")
    print("ecosystem: the findings match the ledger")


if __name__ == "__main__":
    main()
