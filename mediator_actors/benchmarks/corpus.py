"""Benchmark inputs: the shared corpus when present (SHA-256 checked), else generated
realistic intents (never random vectors: they make recall meaningless)."""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mediator_actors.model import EntryRef, Intent, IntentType, digest_id

CORPUS_NAME = "bench-corpus.jsonl"
#: SHA-256 of the first 10,000 ``content + "\n"`` (the corpus README).
CORPUS_SHA256_10K = "a9073c946d8eb99e77ea9b0c73815643f7824e3178306f5726415822898519e5"
HELD_OUT = 1000


@dataclass(frozen=True, slots=True)
class Corpus:
    source: str  # the file, or "generated"
    verified: bool | None  # the 10k SHA-256 check; None when not applicable
    intents: list[Intent]  # the benchmark set
    queries: list[Intent]  # held-out intents used as queries


def corpus_path() -> Path | None:
    """``MEDIATOR_BENCH_CORPUS``, else ``shared/data/`` beside the repository or the cwd."""
    explicit = os.environ.get("MEDIATOR_BENCH_CORPUS")
    if explicit:
        return Path(explicit)
    here = Path(__file__).resolve().parents[2]
    for start in (here, Path.cwd().resolve()):
        for base in (start, *start.parents):
            path = base / "shared" / "data" / CORPUS_NAME
            if path.is_file():
                return path
    return None


def _intent(row: Mapping[str, object]) -> Intent:
    fee = row.get("offered_fee")
    return Intent(
        ref=EntryRef(digest_id("ent", str(row["id"]).encode())),
        author=str(row["author"]),
        type=IntentType(str(row["type"])),
        content=str(row["content"]),
        timestamp="2026-01-01T00:00:00Z",
        offered_fee=float(fee) if isinstance(fee, int | float) else None,
        branch=str(row.get("branch") or "") or None,
    )


def load_corpus(count: int, *, path: Path | None = None) -> Corpus:
    """The first ``count`` intents of the shared corpus and its last 1,000 as queries, or
    generated intents when the corpus is absent or too small."""
    path = path or corpus_path()
    if path is not None and path.is_file():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        if len(rows) >= count + HELD_OUT or (
            len(rows) > HELD_OUT and count <= len(rows) - HELD_OUT
        ):
            digest = hashlib.sha256()
            for row in rows[:10_000]:
                digest.update((row["content"] + "\n").encode("utf-8"))
            verified = len(rows) >= 10_000 and digest.hexdigest() == CORPUS_SHA256_10K
            return Corpus(
                source=str(path),
                verified=verified,
                intents=[_intent(r) for r in rows[:count]],
                queries=[_intent(r) for r in rows[-HELD_OUT:]],
            )
    generated = generate_intents(count + HELD_OUT)
    return Corpus("generated", None, generated[:count], generated[count:])


_SERVICES = (
    "logo design",
    "a marketing website",
    "a mobile app prototype",
    "data cleaning",
    "a web scraping pipeline",
    "video editing",
    "technical writing",
    "translation into Spanish",
    "a contract review",
    "bookkeeping",
    "embedded firmware for sensors",
    "a recommendation model",
    "cloud cost optimisation",
    "a security audit",
    "podcast audio mastering",
    "user research",
    "an accessibility review",
    "database migration",
    "illustrations for a children's book",
    "a grant proposal",
    "3D product renders",
    "a CI pipeline",
    "market research",
    "tutoring in statistics",
)
_TOPICS = (
    "a community garden",
    "an open-source library",
    "a renewable energy forecasting project",
    "a local bakery",
    "a language preservation project",
    "a fintech startup",
    "a school district",
    "a medical research lab",
    "an indie game",
    "a nonprofit food bank",
    "a music festival",
    "independent e-commerce projects",
    "a climate newsletter",
    "a legal aid clinic",
)
_CONDITIONS = (
    "Remote work only.",
    "Attribution required.",
    "Documentation must be in plain English.",
    "Source files must be included.",
    "Weekly progress updates expected.",
    "Deliverables must pass an independent review.",
    "Requires access to testing data.",
    "Payment in two milestones.",
    "Must sign a confidentiality agreement.",
)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_BRANCHES = ("Professional/Engineering", "Professional/Creative", "Professional/Legal", "Community")


def generate_intents(count: int, *, seed: int = 7) -> list[Intent]:
    """Deterministic, realistic offers and seeks from templates (about half each)."""
    rng = random.Random(seed)
    intents = []
    for n in range(count):
        service, topic = rng.choice(_SERVICES), rng.choice(_TOPICS)
        price = rng.randrange(50, 5000, 10)
        when = f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.choice((2026, 2027))}"
        extras = " ".join(rng.sample(_CONDITIONS, rng.randint(0, 3)))
        if rng.random() < 0.5:
            kind = IntentType.OFFER
            text = (
                f"I am offering {service} for {topic}. Asking {price} NLC for the full "
                f"engagement. Can start within {rng.randint(1, 30)} days and deliver by {when}. {extras}"
            )
        else:
            kind = IntentType.SEEK
            text = f"We need {service} for {topic}. Budget of {price} NLC. Must be delivered by {when}. {extras}"
        row = {
            "id": f"generated-{seed}-{n}",
            "author": f"user_{rng.randrange(max(2, count // 25))}",
            "type": kind.value,
            "content": text.strip(),
            "offered_fee": rng.randint(0, 10),
            "branch": rng.choice(_BRANCHES),
        }
        intents.append(_intent(row))
    return intents


def extended_corpus(count: int, *, path: Path | None = None, seed: int = 15) -> list[Intent]:
    """``count`` intents: the shared corpus's first 10,000 (fewer if ``count`` is smaller),
    then more drawn from the same distribution.

    An extension intent is a corpus intent's first sentence (service and topic) joined to
    the rest of another intent of the same type (price, start, deadline, conditions), so
    every part keeps the corpus's frequencies; its author is the second intent's author
    renumbered per 10,000, so intents per author, and with them the candidate pass's
    same-author exclusions, stay as in the corpus. Without the corpus: generated intents.
    """
    base = load_corpus(min(count, 10_000), path=path)
    if base.source == "generated":
        return generate_intents(count)
    corpus = list(base.intents)
    if count <= len(corpus):
        return corpus[:count]
    by_type: dict[IntentType, list[Intent]] = {}
    for intent in corpus:
        by_type.setdefault(intent.type, []).append(intent)
    rng = random.Random(seed)
    intents = list(corpus)
    seen = {i.content for i in corpus}  # the chain refuses an identical entry
    for n in range(len(corpus), count):
        while True:
            template = rng.choice(corpus)  # the corpus's own rows only, never an extension
            head = rng.choice(by_type[template.type]).content.split(". ", 1)[0]
            rest = template.content.split(". ", 1)
            content = f"{head}. {rest[1]}" if len(rest) == 2 else head
            if content not in seen:
                seen.add(content)
                break
        author = template.author
        if author.startswith("user_") and author[5:].isdigit():
            author = f"user_{int(author[5:]) + 10_000 * (n // 10_000)}"
        intents.append(
            _intent(
                {
                    "id": f"extended-{seed}-{n}",
                    "author": author,
                    "type": template.type.value,
                    "content": content,
                    "offered_fee": template.offered_fee,
                    "branch": template.branch or "",
                }
            )
        )
    return intents
