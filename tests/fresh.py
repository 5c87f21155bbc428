"""A test's code run by a fresh interpreter: for what must start from a
clean process (a first torch.compile, an empty cache, a hang that must
fail the test instead of hanging it)."""

from __future__ import annotations

import os
import subprocess
import sys

Completed = subprocess.CompletedProcess


def python(
    code: str, timeout: float, **env: str
) -> subprocess.CompletedProcess:
    """Run ``python -c code`` with ``env`` added to this process's
    environment; fail the test, showing the end of stderr, unless it
    exits with 0 within ``timeout`` seconds."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done
