"""Counts for the reliability figures of issue 7: a test marks itself as a fault scenario or as
bad input, and when it passes the mark is appended to $GPUWARDEN_FIGURES (one line per test:
kind, count, test name). tests/run.sh totals the file at the end of `make test`. Without that
variable nothing is written, so a test run by hand behaves the same."""

import functools
import os


def counts(kind, n=1):
    """Decorator: the test covers `n` cases of `kind` ("fault" or "bad input")."""
    def wrap(test):
        @functools.wraps(test)
        def run(self, *args, **kw):
            result = test(self, *args, **kw)
            path = os.environ.get("GPUWARDEN_FIGURES")
            if path:
                with open(path, "a", encoding="utf-8") as f:
                    f.write("%s\t%d\t%s.%s\n" % (kind, n, type(self).__name__, test.__name__))
            return result
        return run
    return wrap


def fault(test):
    """One fault scenario survived: the test asserts that nothing was lost."""
    return counts("fault")(test)


def bad_input(n=1):
    """`n` bad inputs refused with a clear error and nothing changed."""
    return counts("bad input", n)
