"""Redaction quality on the labelled set: `python tests/benchmarks/redaction_quality.py [--markdown] [--misses]`.

Per kind of labelled span:

* recall: the share of labelled spans that a redaction fully covers (whatever its placeholder);
* typed: the share of labelled spans covered by a redaction of the same kind;
* precision: the share of redacted ranges of that kind that overlap some labelled span;
* ordinary words hidden: the share of words outside every labelled span that a redaction touches (all kinds).

Pure text processing: needs neither Django settings nor a database. `--misses` lists what was missed and what was
hidden by mistake, for tuning; the numbers are the same.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from feedback.redaction import KINDS, redact_concern_text  # noqa: E402

LABELLED = PROJECT / "tests" / "redaction" / "labelled_concerns.json"
GOALS = {"recall": {"name": 0.80, "default": 1.0}, "ordinary_hidden": 0.05}
_WORD = re.compile(r"\w+")


@dataclass
class Quality:
    recall: dict[str, float]
    typed: dict[str, float]
    precision: dict[str, float]
    labelled: dict[str, int]
    redacted: dict[str, int]
    ordinary_words: int
    ordinary_hidden: int
    misses: list[str]
    false_hits: list[str]

    @property
    def ordinary_hidden_share(self) -> float:
        return self.ordinary_hidden / self.ordinary_words if self.ordinary_words else 0.0

    def meets_goals(self) -> list[str]:
        """The goals not met, as sentences; empty when all are met."""
        failures = []
        for kind in KINDS:
            goal = GOALS["recall"].get(kind, GOALS["recall"]["default"])
            if self.labelled.get(kind) and self.recall[kind] < goal:
                failures.append(f"{kind} recall {self.recall[kind]:.1%} < {goal:.0%}")
        if self.ordinary_hidden_share > GOALS["ordinary_hidden"]:
            failures.append(f"ordinary words hidden {self.ordinary_hidden_share:.1%} > {GOALS['ordinary_hidden']:.0%}")
        return failures


def load_labelled(path: Path = LABELLED) -> list[dict]:
    items = json.loads(path.read_text(encoding="utf-8"))
    for item in items:
        spans, taken = [], []
        for span in item["spans"]:
            start = item["text"].find(span["text"])
            while any(s <= start < e for s, e in taken):
                start = item["text"].find(span["text"], start + 1)
            if start < 0:
                raise ValueError(f"span {span['text']!r} not in {item['text']!r}")
            taken.append((start, start + len(span["text"])))
            spans.append((span["kind"], start, start + len(span["text"])))
        item["offsets"] = spans
    return items


def measure(items: list[dict]) -> Quality:
    labelled, covered, typed = Counter(), Counter(), Counter()
    redacted, precise = Counter(), Counter()
    ordinary_words = ordinary_hidden = 0
    misses, false_hits = [], []
    for item in items:
        text = item["text"]
        findings = redact_concern_text(text=text, language=item["language"]).findings
        for kind, start, end in item["offsets"]:
            labelled[kind] += 1
            cover = [f for f in findings if f.start <= start and end <= f.end]
            if cover:
                covered[kind] += 1
                typed[kind] += any(f.kind == kind for f in cover)
            else:
                misses.append(f"{kind}: {text[start:end]!r} in {text!r}")
        for f in findings:
            redacted[f.kind] += 1
            if any(f.start < end and start < f.end for _, start, end in item["offsets"]):
                precise[f.kind] += 1
            else:
                false_hits.append(f"{f.kind}: {text[f.start : f.end]!r} in {text!r}")
        for m in _WORD.finditer(text):
            if any(start <= m.start() and m.end() <= end for _, start, end in item["offsets"]):
                continue
            ordinary_words += 1
            ordinary_hidden += any(f.start < m.end() and m.start() < f.end for f in findings)

    def share(part: Counter, whole: Counter) -> dict[str, float]:
        return {k: (part[k] / whole[k] if whole[k] else 1.0) for k in KINDS}

    return Quality(
        recall=share(covered, labelled),
        typed=share(typed, labelled),
        precision=share(precise, redacted),
        labelled=dict(labelled),
        redacted=dict(redacted),
        ordinary_words=ordinary_words,
        ordinary_hidden=ordinary_hidden,
        misses=misses,
        false_hits=false_hits,
    )


def table(q: Quality, items: list[dict]) -> str:
    languages = Counter(i["language"] for i in items)
    lines = [
        f"Labelled set: {len(items)} concerns ({', '.join(f'{n} {lang}' for lang, n in sorted(languages.items()))}),"
        f" {sum(1 for i in items if not i['spans'])} without any identifier.",
        "",
        "| kind | labelled spans | recall | right placeholder | redactions | precision |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in KINDS:
        lines.append(
            f"| {kind} | {q.labelled.get(kind, 0)} | {q.recall[kind]:.1%} | {q.typed[kind]:.1%} "
            f"| {q.redacted.get(kind, 0)} | {q.precision[kind]:.1%} |"
        )
    lines += [
        "",
        f"Ordinary words hidden by mistake: {q.ordinary_hidden} of {q.ordinary_words} ({q.ordinary_hidden_share:.2%}).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="only the markdown table, for BENCHMARKS.md")
    parser.add_argument("--misses", action="store_true", help="also list misses and mistaken redactions")
    parser.add_argument(
        "--labelled",
        type=Path,
        default=LABELLED,
        help="the labelled set (default: tests/redaction/labelled_concerns.json; tests/redaction/heldout_concerns.json"
        " was written after the engine and never tuned on)",
    )
    args = parser.parse_args(argv)
    items = load_labelled(args.labelled)
    quality = measure(items)
    if not args.markdown:
        print(f"## Redaction quality: {args.labelled.name}\n")
    print(table(quality, items))
    if args.misses:
        print("\nMissed:", *quality.misses, sep="\n  ")
        print("\nHidden by mistake:", *quality.false_hits, sep="\n  ")
    if not args.markdown:
        failures = quality.meets_goals()
        print("\nGoals:", "all met" if not failures else "; ".join(failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
