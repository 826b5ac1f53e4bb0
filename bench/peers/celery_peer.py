"""The peer of Argus's job queue for bench/jobs_bench.py: a Celery app with Redis as broker
and result backend, and one task, `noop`, that does what Argus's `noop` job kind does
with `sleep_ms` 0 (nothing), recording when it started and ended.

    CELERY_PEER_REDIS=redis://127.0.0.1:PORT/0 celery -A celery_peer worker --concurrency 2

(run from bench/peers). Celery's defaults are kept, except JSON for messages and results
(what Argus stores) and a quiet logger: a task is acknowledged when a worker receives it
(not when it ends), each worker process prefetches 4 messages, results expire after a day.
"""

from __future__ import annotations

import os
import time

from celery import Celery

REDIS = os.environ.get("CELERY_PEER_REDIS", "redis://127.0.0.1:6379/0")

app = Celery("celery_peer", broker=REDIS, backend=REDIS)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@app.task(name="noop")
def noop(sleep_ms: int = 0) -> dict:
    """Returns the wall-clock times (seconds since the epoch) it started and ended."""
    started = time.time()
    if sleep_ms > 0:
        time.sleep(sleep_ms / 1000)
    return {"started": started, "finished": time.time()}
