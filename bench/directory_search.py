"""What a search of the directory of services costs: `find_services` (type, place and
language; the place matched with accents and case aside, the city's region brought after it)
against the plain query that reads the same type's listed services, in the same run.

    .venv/bin/python bench/directory_search.py [--runs 7] [--loops 50]

In one process on a fresh SQLite home: a desk with 200, 2,000 and then 5,000 services spread
over 40 cities of 8 regions and the eleven types, each speaking two or three languages; a
search asks for one type near one city, in one language, as staff beside the reply box, the
help centre and the bot do.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
os.environ["VENTANILLA_HOME"] = tempfile.mkdtemp(prefix="bench-directory-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from ventanilla.desks.models import Desk  # noqa: E402
from ventanilla.referrals.models import Organisation, Service, ServiceType  # noqa: E402
from ventanilla.referrals.selectors import Wanted, find_services  # noqa: E402

REGIONS = [
    "Andalucía",
    "Cataluña",
    "Madrid",
    "Murcia",
    "Valencia",
    "Aragón",
    "Galicia",
    "País Vasco",
]
CITIES = [f"Ciudad {n}" for n in range(35)] + ["Málaga", "Sevilla", "Almería", "Cádiz", "Huelva"]
LANGUAGES = [["es", "ar"], ["es", "fr", "en"], ["es", "nl"], ["es", "ar", "fr"]]


def fill(desk: Desk, count: int) -> None:
    """Add services until the desk lists `count` (bulk: the directory's save is not timed)."""
    organisation, _ = Organisation.objects.get_or_create(desk=desk, name="Org")
    have = Service.objects.filter(desk=desk).count()
    types = ServiceType.values
    Service.objects.bulk_create(
        Service(
            desk=desk,
            organisation=organisation,
            key=f"s-{n}",
            name=f"Servicio {n}",
            names={"ar": f"خدمة {n}", "fr": f"Service {n}"},
            type=types[n % len(types)],
            city=CITIES[n % len(CITIES)],
            region="Andalucía" if CITIES[n % len(CITIES)] in CITIES[35:] else REGIONS[n % 8],
            country="ES",
            languages=LANGUAGES[n % len(LANGUAGES)],
        )
        for n in range(have, count)
    )


def timed(run, loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        run()
    return (time.perf_counter() - start) / loops * 1e3


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ms ({min(values):.2f} to {max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--loops", type=int, default=50)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    desk = Desk.objects.create(name="Bench", slug="bench", languages=["es", "ar"])
    wanted = Wanted(type="health", place="malaga", language="ar")
    print("| services | plain query of the type (baseline) | find_services | ratio | found |")
    print("| --- | --- | --- | --- | --- |")
    for count in (200, 2000, 5000):
        fill(desk, count)

        def baseline() -> None:
            list(Service.objects.filter(desk=desk, active=True, type="health"))

        def search() -> None:
            find_services([desk], wanted)

        plain, found = [], []
        for _ in range(options.runs):
            plain.append(timed(baseline, options.loops))
            found.append(timed(search, options.loops))
        ratio = statistics.median(found) / statistics.median(plain)
        hits = len(find_services([desk], wanted))
        print(f"| {count:,} | {summary(plain)} | {summary(found)} | {ratio:.2f} | {hits} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
