"""Themes engine: groups similar concerns, in English and Spanish together, into a few labelled themes.

Pure Python + scikit-learn; no Django models, no network, nothing downloaded at run time.

Method (see METHOD.md for the alternatives and their scores): each concern becomes bag of bilingual *concept*
tokens from a hand-written glossary (``glossary.py``: "redada", "raid" → ENFORCEMENT; "escuela", "school" →
SCHOOL ...) plus, at a lower weight, its remaining content words; both are TF-IDF weighted, reduced with a
truncated SVD (LSA), L2-normalised and clustered with k-means. With ``anchors`` (the consultation's own topics,
described in both languages) the k-means centres start at the anchors, so each theme is the anchor's topic.

Guarantees of :func:`build_themes`:

- every concern id given is in exactly one theme; no theme is empty; at most ``max_themes`` themes;
- deterministic: the same input (same order) gives the same themes (fixed ``random_state``, stable sorting);
- never raises on empty, tiny or stop-word-only input (0 concerns → ``[]``; nothing to tell apart → one theme);
- themes are sorted by size, largest first, and each carries up to 6 keywords and a non-empty label;
- 100,000 concerns take under a minute and well under 1 GiB on 2 cores (tests/benchmarks/themes_quality.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from . import text as _text

RANDOM_STATE = 0
#: weight of the plain-word block against the concept block (measured in METHOD.md)
WORD_WEIGHT = 0.35
SVD_COMPONENTS = 60
KEYWORDS_PER_THEME = 6
_SILHOUETTE_SAMPLE = 2000


@dataclass(frozen=True)
class ConcernText:
    """One concern to theme: its database id, its free text and its language code ("en", "es", ...)."""

    id: int
    text: str
    language: str


@dataclass(frozen=True)
class Anchor:
    """A topic of the consultation that seeds one theme; ``text`` describes it (ideally in both languages)."""

    key: str
    label: str
    text: str


@dataclass(frozen=True)
class Theme:
    """A group of concerns: an editable human ``label``, the member ids (input order) and top ``keywords``."""

    label: str
    concern_ids: tuple[int, ...]
    keywords: tuple[str, ...]


class _Features:
    """Fitted vectorisers for one corpus: turns texts into L2-normalised rows of the same space."""

    def __init__(self, method: str) -> None:
        self.method = method
        self.concepts = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2")
        self.words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2", min_df=2)
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, preprocessor=_text.strip_accents
        )
        self.names: list[str] = []

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.method == "chars":
            matrix = self.chars.fit_transform(texts)
            self.names = list(self.chars.get_feature_names_out())
            return sp.csr_matrix(matrix)
        split = [_text.split_tokens(t) for t in texts]
        blocks, names = [], []
        if self.method in ("glossary", "concepts"):
            blocks.append(_fit_block(self.concepts, [c for c, _ in split], names))
        if self.method in ("glossary", "words"):
            weight = WORD_WEIGHT if self.method == "glossary" else 1.0
            block = _fit_block(self.words, [w for _, w in split], names)
            blocks.append(block * weight if block is not None else None)
        blocks = [b for b in blocks if b is not None]
        self.names = names
        if not blocks:
            return sp.csr_matrix((len(texts), 0))
        return sp.csr_matrix(normalize(sp.hstack(blocks).tocsr()))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.method == "chars":
            return sp.csr_matrix(self.chars.transform(texts))
        split = [_text.split_tokens(t) for t in texts]
        blocks = []
        if self.method in ("glossary", "concepts") and hasattr(self.concepts, "vocabulary_"):
            blocks.append(self.concepts.transform([c for c, _ in split]))
        if self.method in ("glossary", "words") and hasattr(self.words, "vocabulary_"):
            weight = WORD_WEIGHT if self.method == "glossary" else 1.0
            blocks.append(self.words.transform([w for _, w in split]) * weight)
        return sp.csr_matrix(normalize(sp.hstack(blocks).tocsr()))


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _fit_block(vectorizer: TfidfVectorizer, docs: list[list[str]], names: list[str]) -> sp.csr_matrix | None:
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # empty vocabulary (e.g. no concept words at all, or min_df not met)
        return None
    names.extend(vectorizer.get_feature_names_out())
    return matrix


def cluster(
    texts: Sequence[str],
    *,
    anchor_texts: Sequence[str] = (),
    max_themes: int = 10,
    method: str = "glossary",
    reduce: bool = True,
) -> tuple[np.ndarray, sp.csr_matrix, list[str]]:
    """Cluster ``texts``; returns (cluster index per text, TF-IDF matrix, feature names).

    ``method`` is "glossary" (the engine's), "concepts", "words" or "chars" — the alternatives measured in
    METHOD.md. With ``anchor_texts`` cluster ``i`` is seeded by anchor ``i``. Cluster indices are 0..k-1.
    """
    n = len(texts)
    features = _Features(method)
    matrix = features.fit_transform(texts)
    if n < 2 or matrix.shape[1] == 0 or matrix.nnz == 0:
        return np.zeros(n, dtype=np.int64), matrix, features.names
    points: np.ndarray | sp.csr_matrix = matrix
    svd = None
    if reduce and matrix.shape[1] > 2:
        components = min(SVD_COMPONENTS, matrix.shape[1] - 1, n - 1)
        svd = TruncatedSVD(n_components=components, random_state=RANDOM_STATE, algorithm="randomized", n_iter=5)
        points = normalize(svd.fit_transform(matrix))
    distinct = _distinct_rows(points)
    if anchor_texts:
        anchors = features.transform(list(anchor_texts)[:max_themes])
        centres = normalize(svd.transform(anchors)) if svd is not None else anchors.toarray()
        k = min(len(centres), distinct)
        model = KMeans(n_clusters=k, init=centres[:k], n_init=1, random_state=RANDOM_STATE, max_iter=100)
        return model.fit_predict(points), matrix, features.names
    k_max = max(1, min(max_themes, distinct))
    if k_max < 2:
        return np.zeros(n, dtype=np.int64), matrix, features.names
    return _best_kmeans(points, k_max), matrix, features.names


def _distinct_rows(points: np.ndarray | sp.csr_matrix) -> int:
    dense = points.toarray() if sp.issparse(points) else points
    sample = dense[:5000]
    return int(len(np.unique(np.round(sample, 6), axis=0)))


def _best_kmeans(points: np.ndarray | sp.csr_matrix, k_max: int) -> np.ndarray:
    """k-means for k in 2..k_max, keeping the k with the best cosine silhouette on a fixed sample."""
    n = points.shape[0]
    rng = np.random.default_rng(RANDOM_STATE)
    sample = np.sort(rng.choice(n, size=min(n, _SILHOUETTE_SAMPLE), replace=False))
    best_labels, best_score = None, -2.0
    for k in range(2, k_max + 1):
        labels = KMeans(n_clusters=k, n_init=3, random_state=RANDOM_STATE, max_iter=100).fit_predict(points)
        sampled = labels[sample]
        if len(set(sampled.tolist())) < 2:
            continue
        score = float(silhouette_score(points[sample], sampled, metric="cosine"))
        if score > best_score + 1e-9:
            best_labels, best_score = labels, score
    return best_labels if best_labels is not None else np.zeros(n, dtype=np.int64)


def build_themes(
    concerns: Sequence[ConcernText], *, anchors: Sequence[Anchor] = (), max_themes: int = 10
) -> list[Theme]:
    """Group ``concerns`` into at most ``max_themes`` themes (see the module docstring for the guarantees).

    With ``anchors``, the themes are seeded by (at most ``max_themes`` of) the anchors and a theme still
    seeded by its anchor is labelled with the anchor's label; otherwise labels come from the top keywords.
    """
    if not concerns:
        return []
    max_themes = max(1, int(max_themes))
    anchors = list(anchors)[:max_themes]
    labels, matrix, names = cluster(
        [c.text for c in concerns], anchor_texts=[a.text for a in anchors], max_themes=max_themes
    )
    themes = []
    for index in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == index)
        keywords = _keywords(matrix, members, names)
        if anchors and index < len(anchors):
            label = anchors[index].label
        else:
            label = _label_from(keywords)
        themes.append(Theme(label, tuple(concerns[i].id for i in members), keywords))
    themes.sort(key=lambda t: (-len(t.concern_ids), t.label, t.concern_ids))
    return _unique_labels(themes)


def _keywords(matrix: sp.csr_matrix, members: np.ndarray, names: list[str]) -> tuple[str, ...]:
    if matrix.shape[1] == 0 or len(members) == 0:
        return ()
    weights = np.asarray(matrix[members].mean(axis=0)).ravel()
    order = np.lexsort((np.array(names, dtype=object).astype(str), -weights))
    return tuple(_text.concept_label(names[i]) for i in order[:KEYWORDS_PER_THEME] if weights[i] > 0)


def _label_from(keywords: tuple[str, ...]) -> str:
    if not keywords:
        return "Other / otros"
    label = " · ".join(keywords[:2])
    if len(label) > 60:  # two bilingual keywords read as a sentence: keep the label to the top one
        label = keywords[0]
    return label[0].upper() + label[1:]


def _unique_labels(themes: list[Theme]) -> list[Theme]:
    seen: dict[str, int] = {}
    result = []
    for theme in themes:
        count = seen.get(theme.label, 0)
        seen[theme.label] = count + 1
        label = theme.label if count == 0 else f"{theme.label} ({count + 1})"
        result.append(Theme(label, theme.concern_ids, theme.keywords))
    return result
