"""Quality and scale benchmark of the themes engine (feedback/themes).

    .venv/bin/python tests/benchmarks/themes_quality.py                 # agreement on the labelled set
    .venv/bin/python tests/benchmarks/themes_quality.py --methods       # ... for every alternative method
    .venv/bin/python tests/benchmarks/themes_quality.py --scale 100000  # ... plus time and peak RSS at 100k

(1) Adjusted Rand index (sklearn.metrics.adjusted_rand_score) of the engine's themes against the labels of
tests/themes/labelled_concerns.json, within English, within Spanish and across both (the whole set, so a theme
split by language counts against it). (2) With --scale N: N synthetic concerns made by recombining sentence
fragments of labelled concerns of the same theme and language, themed once; wall time and peak RSS
(resource.getrusage, which includes the import of numpy/scipy/scikit-learn) are reported. Prints a markdown
table to paste into BENCHMARKS.md. Goals: ARI >= 0.5 within each language, >= 0.4 across both; 100,000
concerns in <= 5 minutes and <= 2 GiB peak.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from feedback.themes.engine import Anchor, ConcernText, build_themes, cluster  # noqa: E402

LABELLED = ROOT / "tests" / "themes" / "labelled_concerns.json"

#: The consultation's topics as anchors, described in both languages (what organisers would type in).
ANCHORS = (
    Anchor(
        "police",
        "Fear of reporting crimes to police",
        "fear of calling the police, reporting crimes; miedo de llamar a la policía, denunciar delitos",
    ),
    Anchor("schools", "Schools and children", "schools, students and children; escuelas, alumnos y niños"),
    Anchor(
        "family",
        "Family separation and detention",
        "families separated, parents detained or deported; familias separadas, padres detenidos o deportados",
    ),
    Anchor(
        "profiling",
        "Racial profiling and ID checks",
        "racial profiling, ID and papers checked at work or on transit; perfil racial, piden papeles en el trabajo o el tren",
    ),
    Anchor(
        "city",
        "Federal-local relations",
        "city and federal government, sanctuary ordinance, coordination; gobierno de la ciudad y federal, ciudad santuario, coordinación",
    ),
    Anchor(
        "services",
        "Strain on local services",
        "clinics, shelters and food pantries overwhelmed; clínicas, albergues y despensas saturadas",
    ),
    Anchor(
        "rights",
        "Know-your-rights and legal help",
        "know your rights information, workshops, lawyers; conozca sus derechos, talleres, abogados",
    ),
    Anchor(
        "economy",
        "Economic impact on businesses and workers",
        "businesses, customers, workers and income; negocios, clientes, trabajadores e ingresos",
    ),
)


def load() -> list[dict]:
    return json.loads(LABELLED.read_text(encoding="utf-8"))


def agreement(items: list[dict], predicted: list[int]) -> dict[str, float]:
    """ARI within English, within Spanish and across both."""
    truth = [i["theme"] for i in items]
    result = {}
    for lang in ("en", "es"):
        idx = [n for n, i in enumerate(items) if i["language"] == lang]
        result[lang] = adjusted_rand_score([truth[n] for n in idx], [predicted[n] for n in idx])
    result["both"] = adjusted_rand_score(truth, predicted)
    return result


def engine_agreement(items: list[dict], *, anchors=(), max_themes: int = 8) -> dict[str, float]:
    concerns = [ConcernText(n, i["text"], i["language"]) for n, i in enumerate(items)]
    themes = build_themes(concerns, anchors=anchors, max_themes=max_themes)
    predicted = [0] * len(items)
    for t_index, theme in enumerate(themes):
        for cid in theme.concern_ids:
            predicted[cid] = t_index
    return agreement(items, predicted)


def synthetic(items: list[dict], n: int, seed: int = 0) -> list[ConcernText]:
    """``n`` concerns, each 1-3 clause fragments of labelled concerns of one theme and language, shuffled."""
    rng = random.Random(seed)
    pools: dict[tuple[str, str], list[str]] = {}
    for i in items:
        parts = [p.strip() for p in re.split(r"[.,;:?!¿¡]+", i["text"]) if len(p.strip()) > 12]
        pools.setdefault((i["theme"], i["language"]), []).extend(parts)
    keys = sorted(pools)
    out = []
    for k in range(n):
        pool = pools[keys[rng.randrange(len(keys))]]
        parts = rng.sample(pool, rng.randint(1, 3))
        out.append(ConcernText(k, (", ".join(parts) + ".").capitalize(), keys[0][1]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, help="also theme this many synthetic concerns")
    parser.add_argument("--methods", action="store_true", help="also score the alternative methods")
    args = parser.parse_args()
    items = load()
    rows = []
    for name, kwargs in (
        ("engine, no anchors, max_themes=8", {}),
        ("engine, no anchors, max_themes=10", {"max_themes": 10}),
        ("engine, 8 bilingual anchors", {"anchors": ANCHORS}),
    ):
        a = engine_agreement(items, **kwargs)
        rows.append(f"| {name} | {a['en']:.2f} | {a['es']:.2f} | {a['both']:.2f} |")
    if args.methods:
        texts = [i["text"] for i in items]
        anchor_texts = [a.text for a in ANCHORS]
        for method in ("words", "chars", "concepts", "glossary"):
            for reduce in (False, True):
                for anchored in (False, True):
                    labels, _, _ = cluster(
                        texts, anchor_texts=anchor_texts if anchored else (), max_themes=8, method=method, reduce=reduce
                    )
                    a = agreement(items, labels.tolist())
                    name = f"{method}{' + SVD' if reduce else ''}{', anchors' if anchored else ', k by silhouette'}"
                    rows.append(f"| {name} | {a['en']:.2f} | {a['es']:.2f} | {a['both']:.2f} |")
    print("| themes engine on tests/themes/labelled_concerns.json (304) | ARI en | ARI es | ARI both |")
    print("| --- | --- | --- | --- |")
    print("\n".join(rows))
    if args.scale:
        concerns = synthetic(items, args.scale)
        start = time.perf_counter()
        themes = build_themes(concerns, anchors=ANCHORS)
        anchored = time.perf_counter() - start
        start = time.perf_counter()
        themes_free = build_themes(concerns)
        free = time.perf_counter() - start
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print()
        print("| scale | time | peak RSS | themes | limit |")
        print("| --- | --- | --- | --- | --- |")
        print(f"| {args.scale:,} synthetic concerns, 8 anchors | {anchored:.1f} s | | {len(themes)} | ≤ 300 s |")
        print(
            f"| {args.scale:,} synthetic concerns, no anchors (k 2..10 by silhouette) | {free:.1f} s | | {len(themes_free)} | ≤ 300 s |"
        )
        print(f"| peak RSS of the whole run | | {peak_mib:.0f} MiB | | ≤ 2048 MiB |")


if __name__ == "__main__":
    main()
