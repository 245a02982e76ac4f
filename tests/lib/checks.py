"""The one reporter of the project's Python test scripts: an `ok`/`FAIL` line per check (a
failure with its detail, tail-first, indented), and at the end the closing line
'N passed, N failed' that CI reads, the failed checks again, and the exit status."""

_passed = 0
_failures = []


def check(cond, what, detail=""):
    """Records one check; returns cond so a script can stop early on a failed precondition."""
    global _passed
    if cond:
        _passed += 1
        print(f"ok   {what}", flush=True)
    else:
        _failures.append(what)
        print(f"FAIL {what}", flush=True)
        if detail:
            print("     " + str(detail)[-3000:].replace("\n", "\n     "), flush=True)
    return bool(cond)


def failed():
    """How many checks have failed so far."""
    return len(_failures)


def summary():
    """Prints the closing lines; returns the exit status (1 if any check failed)."""
    print(f"\n{_passed} passed, {len(_failures)} failed", flush=True)
    for what in _failures:
        print(f"  failed: {what}", flush=True)
    return 1 if _failures else 0
