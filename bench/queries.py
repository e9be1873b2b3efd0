"""Deterministic benchmark queries drawn from the real catalogue (seeded, no network)."""

from __future__ import annotations

import csv
import random
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "netflix_titles.csv"

# Free text as a person would type it.
_TYPED = [
    "astronauts stranded far from earth", "a haunted house and a family with secrets",
    "teenage romance at a summer camp", "heist crew plans one last job", "cooking competition",
    "true crime documentary about a serial killer", "stand-up comedy special", "zombie apocalypse survival",
    "korean drama about first love", "wildlife documentary oceans", "a detective hunts a killer in a small town",
    "kids animated adventure with talking animals", "historical war drama", "high school friends reunite",
    "martial arts revenge", "space opera with aliens", "a chef opens a restaurant", "football team underdogs",
    "witches and magic in a boarding school", "dark comedy about a dysfunctional family",
]


@lru_cache(maxsize=1)
def _rows() -> list[dict]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def title_queries() -> list[str]:
    """Catalogue titles, sampled with a fixed seed."""
    rng = random.Random(5)
    return [r["title"] for r in rng.sample(_rows(), 400)]


@lru_cache(maxsize=1)
def description_queries() -> list[str]:
    """Typed phrases, then 6-14 word runs cut from real descriptions."""
    rng = random.Random(7)
    out = list(_TYPED)
    for row in rng.sample(_rows(), 400 - len(out)):
        words = row["description"].split()
        n = rng.randint(6, 14)
        start = rng.randint(0, max(0, len(words) - n))
        out.append(" ".join(words[start:start + n]))
    return out


def batch_rows(n: int = 100) -> list[dict]:
    """n mixed rows: 40% titles, 40% descriptions, 20% both."""
    titles, texts = title_queries(), description_queries()
    rows = []
    for i in range(n):
        if i % 5 in (0, 1):
            rows.append({"title": titles[(i * 7) % len(titles)]})
        elif i % 5 in (2, 3):
            rows.append({"description": texts[(i * 11) % len(texts)]})
        else:
            rows.append({"title": titles[(i * 13) % len(titles)], "description": texts[(i * 3) % len(texts)]})
    return rows
