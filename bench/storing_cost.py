"""What storing a person's message costs, in process: this tree against another one.

    .venv/bin/python bench/storing_cost.py --against /path/to/an/older/checkout/src \\
        [--messages 2000] [--runs 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/storing_cost.py --against ...     # also on PostgreSQL

`conversations.inbound.receive()` is what the intake loop calls for each message taken in:
contact and identity, conversation, message, attachments' rows, clocks, audit, and now the
text's encryption and its search entry. For each source tree (this one, and --against, run
with PYTHONPATH set to it) and each run, a fresh installation is migrated, then one process
stores --messages WhatsApp text messages of 3 to 12 words, from 500 people (so most are
returning), timing receive() alone, each in its own transaction as the intake loop does.
Triage is not run (it is handed on by a task, which is not executed here). Reported: messages
per second, median (min to max) over the runs, and the ratio of this tree to the other.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BIN, installation, summary

HERE = Path(__file__).resolve().parent
CHILD = r"""
import json, random, sys, time
import django
django.setup()
from django.db import transaction
from huey.contrib.djhuey import HUEY
from ventanilla.channels.adapters.base import Inbound
from ventanilla.channels.services import create_channel
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import Desk

HUEY.immediate = False  # triage is queued, not run: what is timed is the storing
count = int(sys.argv[1])
rng = random.Random(7)
words = ["pasaporte", "cita", "consulado", "renovar", "documento", "necesito", "hola",
         "residencia", "permiso", "trabajo", "urgente", "familia", "registro", "visado"]
channel = create_channel(desk=Desk.objects.get(slug="default"), type="whatsapp", name="WA",
    config={"phone_number_id": "1065", "access_token": "x", "app_secret": "s",
            "verify_token": "v", "api_base_url": "http://127.0.0.1:9"}, by=None)
texts = [" ".join(rng.choices(words, k=rng.randint(3, 12))) for _ in range(count)]
started = time.perf_counter()
for n, text in enumerate(texts):
    inbound = Inbound(provider_id=f"wamid.cost{n}", scheme="tel",
                      address=f"+3461234{n % 500:04d}", text=text)
    with transaction.atomic():
        receive(channel=channel, inbound=inbound)
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def one_run(source: Path, messages: int, database_url: str) -> float:
    with (
        tempfile.TemporaryDirectory(prefix="storing-cost-") as scratch,
        installation(Path(scratch) / "home", database_url) as made,
    ):
        env = {**made, "PYTHONPATH": str(source), "DJANGO_SETTINGS_MODULE": "ventanilla.settings"}
        migrated = subprocess.run(
            [str(BIN / "ventanilla"), "migrate"], env=env, capture_output=True, text=True
        )
        if migrated.returncode != 0:
            sys.exit(f"migrate failed for {source}:\n{migrated.stderr}")
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(messages)], env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.exit(f"storing failed for {source}:\n{done.stderr[-3000:]}")
        seconds = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
        return messages / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="the other tree's src/")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    mine = HERE.parent / "src"
    databases = [("SQLite", "")]
    if os.environ.get("DATABASE_URL"):
        databases.append(("PostgreSQL", os.environ["DATABASE_URL"]))
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for label, url in databases:
        rates: dict[str, list[float]] = {"this tree": [], "other tree": []}
        for _ in range(args.runs):  # alternated, so that both see the same machine
            rates["this tree"].append(one_run(mine, args.messages, url))
            rates["other tree"].append(one_run(args.against, args.messages, url))
        ratio = statistics.median(rates["this tree"]) / statistics.median(rates["other tree"])
        print(f"\n{label}, {args.messages} messages, {args.runs} runs (messages/s):")
        for name, values in rates.items():
            print(f"  {name}: {summary(values)}")
        print(f"  ratio this/other: {ratio:.2f}")


if __name__ == "__main__":
    main()
