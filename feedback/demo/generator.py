"""Realistic synthetic concerns and endorsements for demos and benchmarks, from a seeded generator.

The same seed gives the same rows (only the timestamps move with the day it runs: they are spread over
the 60 days before "now"). `feedback.demo.bulk_load` puts them in the database.
"""

from __future__ import annotations

import math
import random
import uuid
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from ..community_areas import AREA_UNDISCLOSED, COMMUNITY_AREA_CHOICES, OUTSIDE_CHICAGO
from ..models import Consultation, Remedy, Topic, start_of_local_day
from ..models.participation import PUBLIC_REFERENCE_ALPHABET, PUBLIC_REFERENCE_LENGTH

DAYS = 60
DEMO_REASON = "demo data"

# Phrase lists: a concern is opener + who + what (+ a demand). English and Spanish, same structure.
PHRASES = {
    "en": {
        "openers": [
            "Since the operation started,",
            "Last week,",
            "In our building,",
            "At my children's school,",
            "On my block,",
            "After the raids near the church,",
            "Where I work,",
            "In our neighborhood,",
            "Every morning at the bus stop,",
            "At the clinic on 26th Street,",
        ],
        "who": [
            "families are afraid to",
            "my neighbors no longer",
            "my mother will not",
            "workers are scared to",
            "parents stopped letting their kids",
            "older people refuse to",
            "people I know do not dare to",
            "even citizens hesitate to",
        ],
        "what": [
            "call the police when something happens",
            "go to the clinic",
            "walk their children to school",
            "report a robbery",
            "take the bus to work",
            "open the door to anyone",
            "go to church",
            "ask the city for help",
            "speak to officers on the street",
            "go to the grocery store",
        ],
        "demands": [
            "",
            "We need clear rules about what agents can and cannot do.",
            "The city should say publicly what CPD will and will not do.",
            "Please hold a community meeting about this.",
            "Nobody has explained what our rights are.",
            "Schools need a plan to keep children safe.",
            "Someone independent should review these arrests.",
            "Officers should wear visible identification.",
        ],
    },
    "es": {
        "openers": [
            "Desde que empezó el operativo,",
            "La semana pasada,",
            "En nuestro edificio,",
            "En la escuela de mis hijos,",
            "En mi cuadra,",
            "Después de las redadas cerca de la iglesia,",
            "Donde trabajo,",
            "En nuestro barrio,",
            "Cada mañana en la parada del autobús,",
            "En la clínica de la calle 26,",
        ],
        "who": [
            "las familias tienen miedo de",
            "mis vecinos ya no se atreven a",
            "mi mamá no quiere",
            "los trabajadores temen",
            "los padres ya no dejan a sus hijos",
            "las personas mayores se niegan a",
            "la gente que conozco no se atreve a",
            "hasta los ciudadanos dudan en",
        ],
        "what": [
            "llamar a la policía cuando pasa algo",
            "ir a la clínica",
            "llevar a sus hijos a la escuela",
            "denunciar un robo",
            "tomar el autobús al trabajo",
            "abrir la puerta a nadie",
            "ir a la iglesia",
            "pedir ayuda a la ciudad",
            "hablar con agentes en la calle",
            "ir a la tienda",
        ],
        "demands": [
            "",
            "Necesitamos reglas claras sobre lo que los agentes pueden y no pueden hacer.",
            "La ciudad debe decir públicamente qué hará y qué no hará CPD.",
            "Por favor, organicen una reunión comunitaria sobre esto.",
            "Nadie nos ha explicado nuestros derechos.",
            "Las escuelas necesitan un plan para proteger a los niños.",
            "Alguien independiente debería revisar estos arrestos.",
            "Los agentes deberían llevar identificación visible.",
        ],
    },
}

STATUS_WEIGHTS = {"approved": 55, "pending": 25, "rejected": 10, "spam": 10}
SOURCE_WEIGHTS = {"web": 80, "paper": 10, "phone": 5, "meeting": 5}
ROLE_WEIGHTS = {"resident": 70, "advocate": 8, "organization": 5, "other": 5, "undisclosed": 12}
# Endorsers give their role and area less often than people writing a concern ("" = not given).
ENDORSER_ROLE_WEIGHTS = {"": 40, "resident": 45, "advocate": 7, "organization": 3, "other": 5}
# Community areas most affected get more of the answers (numbers as in feedback/community_areas.py).
BUSY_AREAS = ["30", "31", "58", "63", "14", "19", "22", "23", "59", "61", "66", "16", "20", "57", "65"]
# How many remedies one participant endorses (drawn uniformly from this list).
VISIT_SIZES = (1, 1, 2, 2, 3, 3, 4, 5)
# The reason category residents checking their status see (the demo's rejections are all off topic).
DEMO_REJECTION_REASONS = {"rejected": "off_topic", "spam": "advertising"}
CONTACT_SHARE = 0.08
REPORTED_SHARE_OF_APPROVED = 0.03
UNTOPICED_SHARE = 0.1

CONCERN_COLUMNS = (
    "id",
    "consultation_id",
    "topic_id",
    "text",
    "public_reference",
    "role",
    "community_area",
    "contact_email",
    "contact_consent",
    "language",
    "source",
    "status",
    "moderation_note",
    "rejection_reason",
    "receipt_hash",
    "report_count",
    "reported_at",
    "version",
    "moderators_notified_at",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = (
    "concern_id",
    "concern_number",
    "consultation_number",
    "concern_source",
    "actor_id",
    "from_status",
    "to_status",
    "reason",
    "created_at",
    "previous_hash",  # "" here: the loader chains the events in the order it inserts them (audit.chain)
    "entry_hash",
)
REPORT_COLUMNS = ("concern_id", "participant", "created_at")
ENDORSEMENT_COLUMNS = ("remedy_id", "participant", "role", "community_area", "created_at")  # one visit's columns


@dataclass
class EndorserVisit:
    """One participant's endorsements, made together in one visit."""

    participant: uuid.UUID
    role: str
    community_area: str
    created_at: datetime  # what the rows store
    remedy_ids: list[int]  # in the order they were endorsed; only the first came from a new participant
    # When it happened, to the second: only the per-minute arrival counts keep this (feedback/bursts/).
    arrived_at: datetime


@dataclass
class DemoRows:
    """Everything one run inserts: concerns, events and reports as tuples in the column orders above."""

    concerns: list[tuple]
    events: list[tuple]
    reports: list[tuple]
    endorsement_count: int
    participant_count: int
    visits: Iterator[EndorserVisit]  # generated lazily: a million endorsements never sit in memory at once
    # (moment, topic id or 0) of each web concern, for the per-minute arrival counts.
    concern_arrivals: list[tuple[datetime, int]]


def _cumulative(weights) -> list[float]:
    return list(accumulate(weights))


class LocalDays:
    """`start_of_local_day` for the many moments of one span, found among the span's local midnights.

    The same answers (each midnight is `start_of_local_day`'s own, so daylight-saving days are right), without
    looking up the current time zone and converting every moment: a million of those took most of a minute.
    """

    def __init__(self, earliest: datetime, latest: datetime):
        self.midnights = [start_of_local_day(earliest)]
        while self.midnights[-1] <= latest:
            # 26 hours on is within the next local day, however long (23 to 25 hours) this one is.
            self.midnights.append(start_of_local_day(self.midnights[-1] + timedelta(hours=26)))
        self.starts = [midnight.timestamp() for midnight in self.midnights]
        self.earliest, self.latest = earliest, latest

    def __call__(self, moment: datetime) -> datetime:
        if not self.earliest <= moment <= self.latest:
            return start_of_local_day(moment)
        return self.midnights[bisect(self.starts, moment.timestamp()) - 1]


class DemoDataGenerator:
    """Seeded and deterministic: the same seed, consultation and counts give the same rows."""

    def __init__(self, *, seed: int, consultation: Consultation, topics: list[Topic], remedies: list[Remedy]):
        self.rng = random.Random(seed)  # noqa: S311  # nosec B311  # synthetic data, reproducible by design
        self.consultation = consultation
        self.topic_ids = [topic.pk for topic in topics]
        self.remedy_ids = [remedy.pk for remedy in remedies]
        all_areas = [code for code, _name in COMMUNITY_AREA_CHOICES if code not in (OUTSIDE_CHICAGO, AREA_UNDISCLOSED)]
        # Busy areas weigh 8, the others 1; some answers come from outside Chicago or keep it private.
        self.areas = [*all_areas, OUTSIDE_CHICAGO, AREA_UNDISCLOSED]
        self.area_cumulative = _cumulative([8 if code in BUSY_AREAS else 1 for code in all_areas] + [6, 30])
        # Remedies and topics get uneven popularity, as in real consultations.
        self.remedy_cumulative = _cumulative(self.rng.uniform(0.3, 3.0) for _ in self.remedy_ids)
        self.topic_cumulative = _cumulative(self.rng.uniform(0.3, 3.0) for _ in self.topic_ids)

    def _pick(self, weights: dict[str, int], count: int) -> list[str]:
        return self.rng.choices(list(weights), cum_weights=_cumulative(weights.values()), k=count)

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _moment(self, now: datetime) -> datetime:
        # When it happened, to the second. Skewed towards recent days (answers pick up as word of the consultation
        # spreads): the rate rises evenly to twice the average today, never to a spike in the last minutes, which
        # the burst detector would rightly flag. Rows keep only its day (models.start_of_local_day), as the
        # services keep it for real answers; the per-minute arrival counts keep its minute.
        return now - timedelta(seconds=int((1 - math.sqrt(1 - self.rng.random())) * DAYS * 86_400))

    def _text(self, language: str) -> str:
        phrases = PHRASES[language]
        choice = self.rng.choice
        sentence = f"{choice(phrases['openers'])} {choice(phrases['who'])} {choice(phrases['what'])}."
        demand = choice(phrases["demands"])
        return f"{sentence} {demand}" if demand else sentence

    def generate(self, *, concern_ids: list[int], endorsements: int, now: datetime) -> DemoRows:
        rng = self.rng
        local_day = LocalDays(now - timedelta(days=DAYS + 1), now)
        count = len(concern_ids)
        statuses = self._pick(STATUS_WEIGHTS, count)
        sources = self._pick(SOURCE_WEIGHTS, count)
        roles = self._pick(ROLE_WEIGHTS, count)
        areas = rng.choices(self.areas, cum_weights=self.area_cumulative, k=count)
        topics = (
            rng.choices(self.topic_ids, cum_weights=self.topic_cumulative, k=count)
            if self.topic_ids
            else [None] * count
        )
        concerns, events, reports, concern_arrivals = [], [], [], []
        for index, concern_id in enumerate(concern_ids):
            language = "es" if rng.random() < 0.4 else "en"
            arrived = self._moment(now)
            created = local_day(arrived)
            status = statuses[index]
            topic = None if rng.random() < UNTOPICED_SHARE else topics[index]
            email = f"resident{rng.randrange(1_000_000):06d}@example.org" if rng.random() < CONTACT_SHARE else ""
            report_count, reported_at, note = 0, None, ""
            if status != "pending":
                decided = min(now, created + timedelta(seconds=rng.randint(600, 3 * 86_400)))
                events.append(
                    (
                        concern_id,
                        concern_id,
                        self.consultation.pk,
                        sources[index],
                        None,
                        "pending",
                        status,
                        DEMO_REASON,
                        decided,
                        "",
                        "",
                    )
                )
                if status == "rejected":
                    note = "Off topic" if language == "en" else "Fuera de tema"
                elif status == "approved" and rng.random() < REPORTED_SHARE_OF_APPROVED:
                    report_count = rng.randint(1, 3)
                    reported_at = local_day(min(now, decided + timedelta(seconds=rng.randint(600, 86_400))))
                    reports.extend((concern_id, self._uuid(), reported_at) for _ in range(report_count))
            if sources[index] == "web":
                concern_arrivals.append((arrived, topic or 0))
            concerns.append(
                (
                    concern_id,
                    self.consultation.pk,
                    topic,
                    self._text(language),
                    "".join(rng.choices(PUBLIC_REFERENCE_ALPHABET, k=PUBLIC_REFERENCE_LENGTH)),
                    roles[index],
                    areas[index],
                    email,
                    bool(email),
                    language,
                    sources[index],
                    status,
                    note,
                    DEMO_REJECTION_REASONS.get(status, ""),
                    "",
                    report_count,
                    reported_at,
                    0 if status == "pending" else 1,
                    local_day(now),  # demo concerns never trigger a moderator notification email
                    created,
                    created,
                )
            )
        # Each participant endorses 1 to 5 different remedies in one visit. Participants' ids are
        # drawn first and sorted, so the rows arrive in index order (much faster inserts on PostgreSQL).
        sizes = []
        total = 0
        most = len(self.remedy_ids)
        while total < endorsements and most:
            k = min(rng.choice(VISIT_SIZES), most, endorsements - total)
            sizes.append(k)
            total += k
        participants = sorted(rng.getrandbits(128) for _ in sizes)
        return DemoRows(
            concerns=concerns,
            events=events,
            reports=reports,
            endorsement_count=total,
            participant_count=len(participants),
            visits=self._visits(participants, sizes, now, local_day),
            concern_arrivals=concern_arrivals,
        )

    def _visits(
        self, participants: list[int], sizes: list[int], now: datetime, local_day: LocalDays
    ) -> Iterator[EndorserVisit]:
        # random.choices() rebuilt per call costs more than the rest; draw through bisect directly.
        random_number, choice = self.rng.random, self.rng.choice
        role_values, role_cumulative = list(ENDORSER_ROLE_WEIGHTS), _cumulative(ENDORSER_ROLE_WEIGHTS.values())
        remedy_ids, remedy_cumulative = self.remedy_ids, self.remedy_cumulative
        areas, area_cumulative = self.areas, self.area_cumulative
        role_total, remedy_total, area_total = role_cumulative[-1], remedy_cumulative[-1], area_cumulative[-1]
        for participant, k in zip(participants, sizes, strict=True):
            role = role_values[bisect(role_cumulative, random_number() * role_total)]
            area = "" if random_number() < 0.45 else areas[bisect(area_cumulative, random_number() * area_total)]
            chosen = {remedy_ids[bisect(remedy_cumulative, random_number() * remedy_total)] for _ in range(k)}
            while len(chosen) < k:  # a popular remedy drawn twice: top up with any other
                chosen.add(choice(remedy_ids))
            moment = self._moment(now)
            yield EndorserVisit(
                participant=uuid.UUID(int=participant, version=4),
                role=role,
                community_area=area,
                created_at=local_day(moment),
                remedy_ids=sorted(chosen),
                arrived_at=moment,
            )
