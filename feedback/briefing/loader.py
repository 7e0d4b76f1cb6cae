"""Loads a consultation's briefing (stakeholders, topics, remedies) and the site's About page from a JSON file.

Re-loading is safe: rows are matched by their `key`, nothing is duplicated, and a field
an advocate changed in the admin since the last load is left as the advocate wrote it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models, transaction

from ..models import Consultation, Remedy, SiteAbout, Stakeholder, Topic

BRIEFING_DIR = Path(__file__).resolve().parent / "data"
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class BriefingFileError(ValueError):
    """The briefing file cannot be read or does not have the expected shape."""


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edits: list[str] = field(default_factory=list)


def read_briefing_file(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BriefingFileError(f"No briefing file at {path}.") from None
    except json.JSONDecodeError as error:
        raise BriefingFileError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(data, dict) or "consultation" not in data or "slug" not in data["consultation"]:
        raise BriefingFileError(f"{path} has no consultation with a slug.")
    return data


def _field_values(item: dict, skip: set[str]) -> dict:
    """Flatten {"title": {"en": .., "es": ..}} into {"title_en": .., "title_es": ..}."""
    values = {}
    for name, value in item.items():
        if name in skip:
            continue
        if isinstance(value, dict):
            for code in LANGUAGE_CODES:
                values[f"{name}_{code}"] = value.get(code, "")
        else:
            values[name] = value
    return values


def _apply(obj: models.Model, values: dict, report: LoadReport, label: str) -> None:
    if obj.pk is None:
        for name, value in values.items():
            setattr(obj, name, value)
        obj.loaded_values = values
        obj.save()
        report.created += 1
        return
    changed = False
    for name, new_value in values.items():
        current = getattr(obj, name)
        last_loaded = obj.loaded_values.get(name)
        untouched = current == last_loaded or (last_loaded is None and current in ("", None))
        if untouched and current != new_value:
            setattr(obj, name, new_value)
            changed = True
        elif not untouched and current != new_value:
            report.kept_edits.append(f"{label}.{name}")
        if last_loaded != new_value:
            obj.loaded_values[name] = new_value
            changed = True
    if changed:
        obj.save()
        report.updated += 1
    else:
        report.unchanged += 1


@transaction.atomic
def load_briefing(data: dict) -> LoadReport:
    """Create or update a consultation and its briefing items, and the site's About page, from parsed briefing data.

    Idempotent: a second load of the same data writes nothing. Items are never deleted;
    an item an advocate unpublished stays unpublished. The About page (one for the site) takes
    the file's "about" section, if it has one, keeping what an administrator changed.
    """
    report = LoadReport()
    consultation_data = data["consultation"]
    slug = consultation_data["slug"]
    consultation = Consultation.objects.filter(slug=slug).first() or Consultation(slug=slug)
    _apply(consultation, _field_values(consultation_data, skip={"slug"}), report, slug)

    sections = [("stakeholders", Stakeholder), ("topics", Topic), ("remedies", Remedy)]
    for section, model in sections:
        for order, item in enumerate(data.get(section, []), start=1):
            key = item["key"]
            obj = model.objects.filter(consultation=consultation, key=key).first() or model(
                consultation=consultation, key=key
            )
            values = _field_values(item, skip={"key"}) | {"order": order}
            _apply(obj, values, report, f"{section}.{key}")
    if "about" in data:
        about = SiteAbout.objects.order_by("pk").first() or SiteAbout()
        _apply(about, _field_values(data["about"], skip=set()), report, "about")
    return report
