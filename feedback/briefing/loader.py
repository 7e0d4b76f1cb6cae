"""Loads a consultation's briefing (stakeholders, topics, remedies) and the site's About page from a JSON file.

Re-loading is safe: rows are matched by their `key`, nothing is duplicated, and a field
an advocate changed in the admin since the last load is left as the advocate wrote it.

Translations may live beside the file: `chicago.json` is read together with every `chicago.*.json`
next to it (e.g. `chicago.pl-zh-ar.json`), files of the same shape and keys that carry only some
languages of each translated field. Their languages are merged into the main file's fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import to_language
from modeltranslation.utils import build_localized_fieldname

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


SECTIONS = ("stakeholders", "topics", "remedies")


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BriefingFileError(f"No briefing file at {path}.") from None
    except json.JSONDecodeError as error:
        raise BriefingFileError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(data, dict) or "consultation" not in data or "slug" not in data["consultation"]:
        raise BriefingFileError(f"{path} has no consultation with a slug.")
    return data


def read_briefing_file(path: Path) -> dict:
    """The briefing at `path`, with the languages of its translation files (`<name>.*.json` beside it) merged in."""
    path = Path(path)
    data = _read_json(path)
    for translations in sorted(path.parent.glob(f"{path.stem}.*.json")):
        merge_translations(data, _read_json(translations), source=translations.name)
    return data


def _language_code(key: str) -> str:
    """A file's language key as Django names the language: "zh_Hans" (a catalogue's name) is "zh-hans"."""
    return to_language(key)


def _merge_item(item: dict, extra: dict, label: str) -> None:
    for name, value in extra.items():
        if name in ("key", "slug"):
            continue
        if not isinstance(value, dict) or not isinstance(item.get(name), dict):
            raise BriefingFileError(f"{label}.{name} is not a translated field of the briefing.")
        item[name].update({_language_code(code): text for code, text in value.items()})


def merge_translations(data: dict, translations: dict, *, source: str = "the translations") -> None:
    """Add the languages of `translations` (same shape and keys as `data`) to `data`'s translated fields.

    Raises BriefingFileError, changing nothing it has not already merged, when `translations` names a
    consultation, an item or a field that `data` does not have.
    """
    slug = data["consultation"]["slug"]
    if translations["consultation"]["slug"] != slug:
        raise BriefingFileError(f"{source} is for consultation {translations['consultation']['slug']!r}, not {slug!r}.")
    _merge_item(data["consultation"], translations["consultation"], f"{source}: consultation")
    for section in SECTIONS:
        items = {item["key"]: item for item in data.get(section, [])}
        for extra in translations.get(section, []):
            if extra.get("key") not in items:
                raise BriefingFileError(f"{source}: {section} has no item {extra.get('key')!r} in the briefing.")
            _merge_item(items[extra["key"]], extra, f"{source}: {section}.{extra['key']}")
    if "about" in translations:
        if "about" not in data:
            raise BriefingFileError(f"{source} translates an about section the briefing does not have.")
        _merge_item(data["about"], translations["about"], f"{source}: about")


def _field_values(item: dict, skip: set[str]) -> dict:
    """Flatten {"title": {"en": .., "zh-hans": ..}} into {"title_en": .., "title_zh_hans": ..}."""
    values = {}
    for name, value in item.items():
        if name in skip:
            continue
        if isinstance(value, dict):
            languages = {_language_code(code): text for code, text in value.items()}
            for code in LANGUAGE_CODES:
                values[build_localized_fieldname(name, code)] = languages.get(code, "")
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

    models_by_section = {"stakeholders": Stakeholder, "topics": Topic, "remedies": Remedy}
    for section, model in models_by_section.items():
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
