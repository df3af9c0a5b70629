"""About twenty realistic intents from several parties, for ``devchain --seed-demo``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mediator_actors.chain.devchain import DevChain

_O, _S = "offer", "seek"

#: (author, type, branch, content, offered_fee)
DEMO_INTENTS: tuple[tuple[str, str, str, str, float | None], ...] = (
    ("alice-dev", _O, "Professional/Engineering", "Offering a Rust fluid-dynamics library, about 400 hours of work; asking 500 NLC; delivery within 60 days.", 5.0),
    ("bob-research", _S, "Professional/Engineering", "Looking for a high-performance CFD solver in Rust for a university lab. Budget at most 600 NLC. Must be open source and delivered within 90 days.", 6.0),
    ("carol-design", _O, "Creative/Design", "I design logos and small brand kits for startups. 250 NLC per kit, two revision rounds, ready in 10 days.", 2.0),
    ("dan-bakery", _S, "Creative/Design", "Need a logo and a simple brand kit for a neighbourhood bakery. Budget under 300 NLC. Must be finished before the opening in three weeks.", 3.0),
    ("erin-translate", _O, "Professional/Language", "Professional German to English translation of technical documents, 0.08 NLC per word, 5,000 words per week.", 1.0),
    ("frank-manuals", _S, "Professional/Language", "Seeking translation of a 12,000-word machine manual from German into English. No more than 1,200 NLC; delivery within four weeks.", 10.0),
    ("gina-garden", _O, "Local/Services", "Garden maintenance in the Lyon area: mowing, hedge trimming and leaf removal, 30 NLC per hour, weekends available.", None),
    ("hugo-lyon", _S, "Local/Services", "Need someone to look after a small garden in Lyon twice a month during the summer. At most 35 NLC per hour.", 1.5),
    ("ines-data", _O, "Professional/Data", "Data cleaning and dashboard building in Python and SQL. 45 NLC per hour, minimum 10 hours, remote only.", 4.0),
    ("jamal-shop", _S, "Professional/Data", "Looking for help turning our online shop's sales exports into a weekly dashboard. Budget 500 NLC total; must use our existing Postgres database.", 5.0),
    ("kim-audio", _O, "Creative/Audio", "Mixing and mastering for independent musicians, 80 NLC per track, 48-hour turnaround, stems required.", 2.5),
    ("leo-band", _S, "Creative/Audio", "Our band needs five tracks mixed and mastered for an EP. No more than 450 NLC for all five; finished within two weeks.", 4.5),
    ("maya-tutor", _O, "Education", "Maths tutoring for secondary school students, online, 25 NLC per hour, evenings and weekends.", None),
    ("nils-parent", _S, "Education", "Seeking an online maths tutor for a 15-year-old preparing for exams. Two evenings a week; at most 30 NLC per hour.", 1.0),
    ("olga-legal", _O, "Professional/Legal", "Contract review for freelancers and small agencies, fixed 150 NLC per contract up to 20 pages.", 3.0),
    ("pablo-agency", _S, "Professional/Legal", "Need a lawyer to review a 15-page service agreement with a new client. Budget 200 NLC; answer within one week.", 2.0),
    ("quinn-bikes", _O, "Goods/Used", "Selling a refurbished steel road bike, 56 cm frame, new tyres and chain, 180 NLC, pickup in Utrecht.", None),
    ("rosa-commute", _S, "Goods/Used", "Looking for a used road bike around 56 cm for commuting in Utrecht. Budget at most 200 NLC; must be roadworthy.", 1.0),
    ("sam-cloud", _O, "Professional/Engineering", "Kubernetes cluster setup and hardening for small teams, 900 NLC fixed, including monitoring and backups.", 8.0),
    ("tara-startup", _S, "Professional/Engineering", "Seeking help to move three services onto a managed Kubernetes cluster with monitoring. Budget no more than 1,000 NLC; done within 30 days.", 9.0),
)  # fmt: skip


def demo_entries() -> list[dict[str, Any]]:
    entries = []
    for author, kind, branch, content, fee in DEMO_INTENTS:
        metadata: dict[str, Any] = {
            "is_contract": True,
            "contract_type": kind,
            "status": "open",
            "branch": branch,
        }
        if fee is not None:
            metadata["offered_fee"] = fee
        entries.append({"author": author, "content": content, "intent": kind, "metadata": metadata})
    return entries


#: How many of the demo intents ``seed_demo`` mines (two blocks of seven); the rest wait.
DEMO_MINED = 14


def seed_demo(chain: DevChain) -> None:
    """Two mined blocks of intents, and the last six left pending."""
    entries = demo_entries()
    chain.add_block(entries[: DEMO_MINED // 2])
    chain.add_block(entries[DEMO_MINED // 2 : DEMO_MINED])
    for raw in entries[DEMO_MINED:]:
        chain.submit(
            raw["content"], raw["author"], raw["intent"], raw["metadata"], check_rate=False
        )
