"""Background tasks on RQ + Redis (the scale-out configuration): a task enqueued by the
application is executed by `manage.py rqworker` and its result read back."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

# Slow (starts an RQ worker): `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_env(tmp_path):
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis на 127.0.0.1:6379 недоступен, а в CI он обязателен")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    # A database number of its own per run: nothing shared with other runs.
    db = 1 + uuid.uuid4().int % 14
    env = {
        **os.environ,
        "EJOURNAL_DATA_DIR": str(tmp_path),
        "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{db}",
        "TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DATABASE_URL", None)
    (tmp_path / "static").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    yield env
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import redis,os; redis.from_url(os.environ['REDIS_URL']).flushdb()",
        ],
        env=env,
        check=False,
        timeout=30,
    )


def _python(env, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_task_enqueued_by_the_app_runs_on_an_rq_worker(redis_env):
    task_id = _python(
        redis_env,
        "from ejournal.notifications.tasks import retry_due; print(retry_due.enqueue().id)",
    )
    assert task_id
    pending = _python(
        redis_env,
        f"from ejournal.notifications.tasks import retry_due; "
        f"print(retry_due.get_backend().get_result('{task_id}').status)",
    )
    assert pending == "READY"
    worker = subprocess.run(
        [
            sys.executable, "manage.py", "rqworker", "default", "--burst",
            "--job-class", "django_tasks_rq.Job",
        ],
        cwd=ROOT,
        env=redis_env,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr
    done = _python(
        redis_env,
        f"from ejournal.notifications.tasks import retry_due; "
        f"r = retry_due.get_backend().get_result('{task_id}'); print(r.status, r.return_value)",
    )
    assert done == "SUCCESSFUL 0", done
