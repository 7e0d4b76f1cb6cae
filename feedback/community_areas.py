"""Chicago's 77 official community areas, numbered as the City numbers them, and the names residents use."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

CHICAGO_COMMUNITY_AREAS = [
    "Rogers Park", "West Ridge", "Uptown", "Lincoln Square", "North Center", "Lake View",
    "Lincoln Park", "Near North Side", "Edison Park", "Norwood Park", "Jefferson Park",
    "Forest Glen", "North Park", "Albany Park", "Portage Park", "Irving Park", "Dunning",
    "Montclare", "Belmont Cragin", "Hermosa", "Avondale", "Logan Square", "Humboldt Park",
    "West Town", "Austin", "West Garfield Park", "East Garfield Park", "Near West Side",
    "North Lawndale", "South Lawndale", "Lower West Side", "Loop", "Near South Side",
    "Armour Square", "Douglas", "Oakland", "Fuller Park", "Grand Boulevard", "Kenwood",
    "Washington Park", "Hyde Park", "Woodlawn", "South Shore", "Chatham", "Avalon Park",
    "South Chicago", "Burnside", "Calumet Heights", "Roseland", "Pullman", "South Deering",
    "East Side", "West Pullman", "Riverdale", "Hegewisch", "Garfield Ridge", "Archer Heights",
    "Brighton Park", "McKinley Park", "Bridgeport", "New City", "West Elsdon", "Gage Park",
    "Clearing", "West Lawn", "Chicago Lawn", "West Englewood", "Englewood",
    "Greater Grand Crossing", "Ashburn", "Auburn Gresham", "Beverly", "Washington Heights",
    "Mount Greenwood", "Morgan Park", "O'Hare", "Edgewater",
]  # fmt: skip

OUTSIDE_CHICAGO = "outside"
AREA_UNDISCLOSED = "undisclosed"

COMMUNITY_AREA_CHOICES = [
    *[(f"{number:02d}", name) for number, name in enumerate(CHICAGO_COMMUNITY_AREAS, start=1)],
    (OUTSIDE_CHICAGO, _("Outside Chicago")),
    (AREA_UNDISCLOSED, _("Prefer not to say")),
]


# --- The picker residents choose from: official names and the neighbourhood names people use ---------------
# The stored value is always the official code above; a neighbourhood's option carries its own value
# ("31~pilsen") only so that the form, shown again after a mistake, keeps the name the resident chose.
NEIGHBOURHOODS_FILE = Path(__file__).resolve().parent / "briefing" / "data" / "neighbourhoods.json"
NEIGHBOURHOOD_SEPARATOR = "~"


@dataclass(frozen=True)
class Neighbourhood:
    name: str
    area: str  # an official community area code, "01" to "77"


def _sort_key(label: str) -> str:
    """Alphabetical as a resident reads it: case and accents ignored ("Álvarez" beside "Alvarez")."""
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


@lru_cache(maxsize=1)
def neighbourhoods() -> tuple[Neighbourhood, ...]:
    """The neighbourhood names of NEIGHBOURHOODS_FILE, without those that are an official area's own name.

    Raises ValueError naming the entry when the file maps a name to no official community area.
    """
    official = dict(COMMUNITY_AREA_CHOICES[: len(CHICAGO_COMMUNITY_AREAS)])
    found = []
    for entry in json.loads(NEIGHBOURHOODS_FILE.read_text(encoding="utf-8")):
        if entry["area"] not in official:
            raise ValueError(f"{NEIGHBOURHOODS_FILE.name}: {entry['name']!r} names no community area {entry['area']!r}")
        if entry["name"] != official[entry["area"]]:
            found.append(Neighbourhood(name=entry["name"], area=entry["area"]))
    return tuple(found)


def neighbourhood_value(neighbourhood: Neighbourhood) -> str:
    return f"{neighbourhood.area}{NEIGHBOURHOOD_SEPARATOR}{slugify(neighbourhood.name, allow_unicode=True)}"


def community_area_picker_choices() -> list[tuple[str, str]]:
    """Every official area and every neighbourhood name, alphabetically, after "Prefer not to say" and
    "Outside Chicago"; a neighbourhood reads "Pilsen (Lower West Side)" so the official area is never hidden."""
    official = dict(COMMUNITY_AREA_CHOICES[: len(CHICAGO_COMMUNITY_AREAS)])
    places = [(code, name) for code, name in official.items()]
    places += [(neighbourhood_value(n), f"{n.name} ({official[n.area]})") for n in neighbourhoods()]
    places.sort(key=lambda choice: _sort_key(choice[1]))
    return [(AREA_UNDISCLOSED, _("Prefer not to say")), (OUTSIDE_CHICAGO, _("Outside Chicago")), *places]


def community_area_code(value: str) -> str:
    """The official code a picker value stands for: "31~pilsen" is "31"; an official code is itself."""
    return value.split(NEIGHBOURHOOD_SEPARATOR, 1)[0]
