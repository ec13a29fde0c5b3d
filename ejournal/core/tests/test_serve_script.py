"""scripts/serve: a dying task worker is restarted with back-off and never takes the site
down; only gunicorn ending ends the script.

The script runs for real; ``UV`` points at a stand-in that plays the three processes: the
worker dies at once each time, the scheduler and gunicorn keep running."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from django.conf import settings

SERVE = Path(settings.BASE_DIR) / "scripts" / "serve"

STAND_IN = """#!/usr/bin/env bash
case "$*" in
  *db_worker*) echo worker >> "$OUT/starts"; exit 3 ;;
  *run_scheduler*) echo $$ > "$OUT/scheduler.pid"; exec sleep 600 ;;
  *gunicorn*) echo $$ > "$OUT/gunicorn.pid"; exec sleep 600 ;;
esac
"""


def _wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waiting for its parent counts as gone.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def test_a_dying_worker_is_restarted_with_back_off_and_gunicorn_ending_stops_all(tmp_path):
    uv = tmp_path / "uv"
    uv.write_text(STAND_IN)
    uv.chmod(0o755)
    env = {**os.environ, "UV": str(uv), "OUT": str(tmp_path), "PORT": "8229", "RESTART_MAX": "2"}
    serve = subprocess.Popen(
        [str(SERVE)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        starts = tmp_path / "starts"
        # Started, then again after 1 s, 2 s and 2 s (the cap): four starts in about 5 s.
        _wait_for(lambda: starts.exists() and len(starts.read_text().split()) >= 4)
        assert serve.poll() is None, "the site stopped because the worker died"
        web = int(_wait_for(lambda: (tmp_path / "gunicorn.pid").read_text().strip()))
        scheduler = int((tmp_path / "scheduler.pid").read_text())
        assert _alive(web) and _alive(scheduler)
        os.kill(web, signal.SIGTERM)
        assert serve.wait(timeout=20) == 1
        _, err = serve.communicate(timeout=10)
    finally:
        if serve.poll() is None:
            serve.kill()
    assert "task worker (db_worker) stopped (exit status 3); restarting in 1 s" in err
    assert "restarting in 2 s" in err and "restarting in 4 s" not in err
    assert "gunicorn stopped" in err
    _wait_for(lambda: not _alive(scheduler), timeout=10)
