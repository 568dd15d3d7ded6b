"""Rate limits hold across processes and threads: the web server's threads, several web
processes, several machines (the cache on Redis, or the file cache of one machine)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

ATTEMPTS_PER_THREAD = 25
THREADS = 4
PROCESSES = 3
LIMIT = 120

HAMMER = f"""
import os, threading
import django
django.setup()
from ventanilla.lib.ratelimit import allow
allowed = []
barrier = threading.Barrier({THREADS})
def run():
    barrier.wait()
    for _ in range({ATTEMPTS_PER_THREAD}):
        allowed.append(allow(os.environ["SCOPE"], "203.0.113.9", limit={LIMIT}, per_seconds=600))
threads = [threading.Thread(target=run) for _ in range({THREADS})]
[t.start() for t in threads]
[t.join() for t in threads]
print(sum(allowed))
"""


def test_processes_and_threads_share_one_count_of_attempts():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "ventanilla.settings"}
    environment["SCOPE"] = f"probe-{uuid.uuid4().hex}"
    running = [
        subprocess.Popen([sys.executable, "-c", HAMMER], env=environment, stdout=subprocess.PIPE)
        for _ in range(PROCESSES)
    ]
    allowed = [int(process.communicate(timeout=120)[0]) for process in running]
    assert all(process.returncode == 0 for process in running)
    # 300 attempts at once from one address: exactly the limit gets through, no more.
    assert PROCESSES * THREADS * ATTEMPTS_PER_THREAD > LIMIT
    assert sum(allowed) == LIMIT, allowed
