"""Text analysis and the weighted hybrid feature blocks.

Every block is a TF-IDF matrix whose rows are L2-normalised; the index stacks the
blocks scaled by sqrt(weight), so a dot product between two stacked rows is the
weighted sum of the per-block cosine similarities.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import Stemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from .catalog import CAST, COUNTRY, DESCRIPTION, DIRECTOR, LISTED_IN, TITLE, normalize_text
from .vocab import COUNTRY_WORDS

BLOCKS = ("description", "title", "genre", "people", "country")

_ROMAN_OR_NUMBER = re.compile(r"^(?:\d+|[ivx]+)$")
# Words in genre labels that carry no topic: "International TV Shows" -> nothing.
GENRE_FILLER = frozenset({"movies", "movie", "tv", "shows", "show", "international", "features", "and"})


class WordAnalyzer:
    """normalise -> words -> drop stop words -> stem -> n-grams.

    A picklable callable for TfidfVectorizer(analyzer=...). The stemmer is
    created lazily because Snowball stemmer objects cannot be pickled.
    """

    def __init__(self, *, ngram_max: int = 1, drop_numbers: bool = False):
        self.ngram_max = ngram_max
        self.drop_numbers = drop_numbers
        self._stemmer = None

    def __getstate__(self):
        return {"ngram_max": self.ngram_max, "drop_numbers": self.drop_numbers}

    def __setstate__(self, state):
        self.__init__(**state)

    def words(self, text: str) -> list[str]:
        """Normalised, stop-word-free, stemmed words of text."""
        if self._stemmer is None:
            self._stemmer = Stemmer.Stemmer("english")
        words = [
            w for w in normalize_text(text).split()
            if w not in ENGLISH_STOP_WORDS and not (self.drop_numbers and _ROMAN_OR_NUMBER.match(w))
            and (len(w) > 1 or w.isdigit())
        ]
        return self._stemmer.stemWords(words)

    def __call__(self, text: str) -> list[str]:
        words = self.words(text)
        grams = list(words)
        for n in range(2, self.ngram_max + 1):
            grams.extend(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
        return grams


_SEGMENT = re.compile(r":| - ")
# "(Hindi Version)", "(Tamil)": a language version of one work, not part of its name.
_VERSION_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")


class TitleAnalyzer(WordAnalyzer):
    """Title tokens that reward shared series names, not shared common words.

    'Narcos: Mexico' -> 'narco mexico' (the whole title), 'narco' (before the colon),
    'narco mexico' (bigram). Sequel numbers and roman numerals are dropped; single words
    are tokens only when the title (or its segment) is one word, so 'The Strangers'
    no longer looks like 'Stranger Things'.
    """

    def __init__(self):
        super().__init__(ngram_max=2, drop_numbers=True)

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.__init__()

    def __call__(self, text: str) -> list[str]:
        text = _VERSION_SUFFIX.sub("", text)
        words = self.words(text)
        tokens = [" ".join(words)] if words else []
        head = self.words(_SEGMENT.split(text, maxsplit=1)[0])
        if head and head != words:
            tokens.append(" ".join(head))
        tokens.extend(" ".join(words[i:i + 2]) for i in range(len(words) - 1))
        return tokens


def shingles(text: str, sizes: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    """Runs of 1..3 normalised words: how free text meets name-like vocabularies."""
    words = normalize_text(text).split()
    return [" ".join(words[i:i + n]) for n in sizes for i in range(len(words) - n + 1)]


def country_tokens(runs: list[str]) -> list[str]:
    """Runs of words plus the countries their demonyms name ('korean' -> 'south korea')."""
    return runs + [normalize_text(COUNTRY_WORDS[run]) for run in runs if run in COUNTRY_WORDS]


def topic_words(text: str, analyzer: WordAnalyzer) -> list[str]:
    """Stemmed words of text minus the genre filler ('movies', 'tv', 'international', ...)."""
    filler = set(analyzer.words(" ".join(GENRE_FILLER)))
    return [w for w in analyzer.words(text) if w not in filler]


def genre_tokens(genres: list[str], analyzer: WordAnalyzer) -> list[str]:
    """A genre label as itself plus its topical stemmed words ('Horror Movies' -> 'horror movies', 'horror')."""
    tokens = []
    for label in genres:
        tokens.append(normalize_text(label))
        tokens.extend(topic_words(label, analyzer))
    return tokens


class _Memo(dict):
    """f(value) computed once per distinct value during one fit (names and labels repeat)."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, value):
        result = self[value] = self.function(value)
        return result


def _names(values: list[str], normalized: _Memo) -> list[str]:
    return [name for name in map(normalized.__getitem__, values) if name]


def _identity(tokens):
    return tokens


@dataclass(frozen=True)
class FeatureConfig:
    """Training parameters of the feature blocks (weights and vectorizer settings)."""

    w_description: float = 1.0
    w_title: float = 1.0
    w_genre: float = 0.35
    w_people: float = 0.6
    w_country: float = 0.15
    desc_ngram_max: int = 1
    desc_min_df: int = 1
    desc_max_df: float = 0.5
    desc_max_features: int = 50_000
    sublinear_tf: bool = True
    people_min_df: int = 1
    # Weight of the title block when the query is free text: words that happen to
    # be in a title are weaker evidence than the same words in a description.
    w_text_title: float = 0.2

    def weights(self) -> dict[str, float]:
        return {b: float(getattr(self, f"w_{b}")) for b in BLOCKS}

    def text_weights(self) -> dict[str, float]:
        return {**self.weights(), "title": float(self.w_text_title)}

    def validate(self) -> None:
        for block, weight in {**self.weights(), "text_title": self.w_text_title}.items():
            if not (weight >= 0 and np.isfinite(weight)):
                raise ValueError(f"w_{block} must be a finite number >= 0, got {weight}")
        if not any(self.weights().values()):
            raise ValueError("at least one block weight must be > 0")
        if self.desc_ngram_max < 1 or self.desc_min_df < 1 or self.people_min_df < 1:
            raise ValueError("desc_ngram_max, desc_min_df and people_min_df must be >= 1")
        if not 0 < self.desc_max_df <= 1:
            raise ValueError(f"desc_max_df must be in (0, 1], got {self.desc_max_df}")
        if self.desc_max_features < 1:
            raise ValueError("desc_max_features must be >= 1")


class HybridFeatures:
    """Fits one TF-IDF vectorizer per block and turns titles or free text into block vectors."""

    def __init__(self, config: FeatureConfig):
        self.config = config

    def _vectorizers(self) -> dict[str, TfidfVectorizer]:
        c = self.config
        common = {"analyzer": _identity, "dtype": np.float32, "sublinear_tf": c.sublinear_tf}
        return {
            "description": TfidfVectorizer(
                analyzer=WordAnalyzer(ngram_max=c.desc_ngram_max), min_df=c.desc_min_df,
                max_df=c.desc_max_df, max_features=c.desc_max_features,
                dtype=np.float32, sublinear_tf=c.sublinear_tf,
            ),
            "title": TfidfVectorizer(analyzer=TitleAnalyzer(), dtype=np.float32, sublinear_tf=c.sublinear_tf),
            "genre": TfidfVectorizer(**common),
            "people": TfidfVectorizer(min_df=c.people_min_df, **common),
            "country": TfidfVectorizer(**common),
        }

    def _documents(self, catalog) -> dict[str, list]:
        analyzer = WordAnalyzer()
        labels = _Memo(lambda label: genre_tokens([label], analyzer))
        names = _Memo(normalize_text)
        return {
            "description": catalog[DESCRIPTION].tolist(),
            "title": catalog[TITLE].tolist(),
            "genre": [[t for label in g for t in labels[label]] for g in catalog[LISTED_IN]],
            "people": [_names(d, names) + _names(c, names) for d, c in zip(catalog[DIRECTOR], catalog[CAST])],
            "country": [_names(c, names) for c in catalog[COUNTRY]],
        }

    def fit_transform(self, catalog) -> dict[str, sp.csr_matrix]:
        """Fit every block on the catalogue; return its L2-normalised block matrices."""
        self.config.validate()
        self.vectorizers_ = self._vectorizers()
        docs = self._documents(catalog)
        blocks = {}
        for block, vectorizer in self.vectorizers_.items():
            blocks[block] = sp.csr_matrix(vectorizer.fit_transform(docs[block]), dtype=np.float32)
            # stop_words_ holds every pruned term: only needed for introspection.
            vectorizer.stop_words_ = None
        self.feature_names_ = {b: v.get_feature_names_out() for b, v in self.vectorizers_.items()}
        self.weights_ = self.config.weights()
        self.text_weights_ = self.config.text_weights()
        self.offsets_ = {}
        start = 0
        for block in BLOCKS:
            self.offsets_[block] = (start, start + blocks[block].shape[1])
            start += blocks[block].shape[1]
        self.n_features_ = start
        self._build_surface_forms(docs["description"])
        return blocks

    def _build_surface_forms(self, descriptions: list[str]) -> None:
        """Readable description terms: each stem shown as its most frequent original word ('comedi' -> 'comedy')."""
        counts: dict[str, Counter] = {}
        stemmer = Stemmer.Stemmer("english")
        for text in descriptions:
            words = [w for w in normalize_text(text).split() if w not in ENGLISH_STOP_WORDS]
            for word, stem in zip(words, stemmer.stemWords(words)):
                counts.setdefault(stem, Counter())[word] += 1
        surface = {stem: c.most_common(1)[0][0] for stem, c in counts.items()}
        names = self.feature_names_["description"]
        self.description_terms_ = np.array(
            [" ".join(surface.get(part, part) for part in name.split()) for name in names], dtype=object
        )

    def stack(self, blocks: dict[str, sp.spmatrix], *, text: bool = False) -> sp.csr_matrix:
        """Scale each block by sqrt(weight) and put them side by side (text: free-text weights)."""
        weights = self.text_weights_ if text else self.weights_
        parts = [blocks[b] * np.float32(np.sqrt(weights[b])) for b in BLOCKS]
        return sp.hstack(parts, format="csr", dtype=np.float32)

    def text_blocks(self, texts: list[str]) -> dict[str, sp.csr_matrix]:
        """Block vectors of free text: words for description/title/genre, name runs for people/country."""
        v = self.vectorizers_
        genre_analyzer = WordAnalyzer()
        docs = {
            "genre": [topic_words(t, genre_analyzer) + shingles(t, (2, 3)) for t in texts],
            "people": [shingles(t, (2, 3)) for t in texts],
            "country": [country_tokens(shingles(t)) for t in texts],
        }
        blocks = {
            "description": v["description"].transform(texts),
            "title": v["title"].transform(texts),
        }
        for block in ("genre", "people", "country"):
            blocks[block] = v[block].transform(docs[block])
        return {b: normalize(sp.csr_matrix(m, dtype=np.float32)) for b, m in blocks.items()}

    # ------------------------------------------------------------ fast path
    # text_vector reproduces text_blocks + stack(text=True) bit for bit for one text,
    # without TfidfVectorizer.transform's validation and sparse-matrix overhead
    # (tests/test_features.py checks equality with the sklearn path).
    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_fast"}

    def _fast_state(self) -> dict:
        fast = self.__dict__.get("_fast")
        if fast is None:
            v = self.vectorizers_
            fast = {
                "vocab": {b: v[b].vocabulary_ for b in BLOCKS},
                "idf": {b: v[b]._tfidf.idf_ for b in BLOCKS},
                "sublinear": {b: bool(v[b].sublinear_tf) for b in BLOCKS},
                "dtype": {b: v[b].dtype for b in BLOCKS},
                "scale": {b: np.float32(np.sqrt(self.text_weights_[b])) for b in BLOCKS},
                "desc": v["description"].analyzer,
                "title": v["title"].analyzer,
                "filler": set(WordAnalyzer().words(" ".join(GENRE_FILLER))),
                "stemmer": Stemmer.Stemmer("english"),
            }
            self._fast = fast
        return fast

    def text_tokens(self, text: str) -> dict[str, list[str]]:
        """The tokens text_blocks feeds each block's vectorizer, from one pass over the text."""
        fast = self._fast_state()
        words = normalize_text(text).split()
        kept = [w for w in words if w not in ENGLISH_STOP_WORDS and (len(w) > 1 or w.isdigit())]
        stems = fast["stemmer"].stemWords(kept)
        numeric = [bool(_ROMAN_OR_NUMBER.match(w)) for w in kept]

        def grams(analyzer: WordAnalyzer) -> list[str]:
            base = [s for s, num in zip(stems, numeric) if not num] if analyzer.drop_numbers else list(stems)
            out = list(base)
            for n in range(2, analyzer.ngram_max + 1):
                out.extend(" ".join(base[i:i + n]) for i in range(len(base) - n + 1))
            return out

        def runs(sizes) -> list[str]:
            return [" ".join(words[i:i + n]) for n in sizes for i in range(len(words) - n + 1)]

        filler = fast["filler"]
        two_three = runs((2, 3))
        # Analyzers other than a plain WordAnalyzer (e.g. TitleAnalyzer) run as they are.
        plain = lambda analyzer: type(analyzer) is WordAnalyzer  # noqa: E731
        return {
            "description": grams(fast["desc"]) if plain(fast["desc"]) else fast["desc"](text),
            "title": grams(fast["title"]) if plain(fast["title"]) else fast["title"](text),
            "genre": [s for s in stems if s not in filler] + two_three,
            "people": two_three,
            "country": country_tokens(runs((1, 2, 3))),
        }

    def _block_vector(self, block: str, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """TfidfVectorizer.transform of one document, then normalize() again, as text_blocks does."""
        fast = self._fast_state()
        vocab = fast["vocab"][block]
        counts: dict[int, int] = {}
        for token in tokens:
            j = vocab.get(token)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        indices = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        data = np.fromiter(counts.values(), dtype=np.intc, count=len(counts)).astype(fast["dtype"][block])
        order = np.argsort(indices, kind="stable")
        indices, data = indices[order], data[order]
        if fast["sublinear"][block]:
            np.log(data, data)
            data += 1.0
        data *= fast["idf"][block][indices]
        row = _Row(data, indices)
        inplace_csr_row_normalize_l2(row)   # the vectorizer's norm="l2"
        data = data.astype(np.float32)
        inplace_csr_row_normalize_l2(_Row(data, indices))  # text_blocks' normalize()
        return indices, data

    def text_vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Stacked free-text vector (sorted column indices, float32 values, no explicit zeros).

        All five blocks in one pass: each block is one "row" for sklearn's in-place L2
        normalisation, so every number is what five separate transforms would give."""
        fast = self._fast_state()
        if "merged" not in fast:
            idf = [fast["idf"][b] for b in BLOCKS]
            same = len({a.dtype for a in idf}) == 1 and len({fast["dtype"][b] for b in BLOCKS}) == 1 \
                and len(set(fast["sublinear"].values())) == 1
            fast["merged"] = {
                "idf": np.concatenate(idf), "dtype": fast["dtype"][BLOCKS[0]],
                "sublinear": fast["sublinear"][BLOCKS[0]],
                "offsets": [self.offsets_[b][0] for b in BLOCKS],
                "scale": [fast["scale"][b] for b in BLOCKS],
            } if same else None
        merged = fast["merged"]
        tokens = self.text_tokens(text)
        if merged is None:
            return self._text_vector_by_block(tokens)
        counts: dict[int, int] = {}
        bounds = [0]
        for block, offset in zip(BLOCKS, merged["offsets"]):
            vocab = fast["vocab"][block]
            for token in tokens[block]:
                j = vocab.get(token)
                if j is not None:
                    j += offset
                    counts[j] = counts.get(j, 0) + 1
            bounds.append(len(counts))
        if not counts:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        indices = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        data = np.fromiter(counts.values(), dtype=np.intc, count=len(counts)).astype(merged["dtype"])
        order = np.argsort(indices, kind="stable")   # blocks were added in column order
        indices, data = indices[order], data[order]
        if merged["sublinear"]:
            np.log(data, data)
            data += 1.0
        data *= merged["idf"][indices]
        indptr = np.asarray(bounds, dtype=np.int32)
        inplace_csr_row_normalize_l2(_Row(data, indices, indptr))   # the vectorizers' norm="l2"
        data = data.astype(np.float32)
        inplace_csr_row_normalize_l2(_Row(data, indices, indptr))   # text_blocks' normalize()
        data = data * np.repeat(np.asarray(merged["scale"], dtype=np.float32), np.diff(indptr))
        keep = data != 0
        return indices[keep], data[keep]

    def _text_vector_by_block(self, tokens) -> tuple[np.ndarray, np.ndarray]:
        fast = self._fast_state()
        all_indices, all_data = [], []
        for block in BLOCKS:
            indices, data = self._block_vector(block, tokens[block])
            if indices.size:
                all_indices.append(indices + np.int32(self.offsets_[block][0]))
                all_data.append(data * fast["scale"][block])
        if not all_indices:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        indices, data = np.concatenate(all_indices), np.concatenate(all_data)
        keep = data != 0
        return indices[keep], data[keep]

    def block_of(self, block: str, stacked: sp.csr_matrix) -> sp.csr_matrix:
        start, stop = self.offsets_[block]
        return stacked[:, start:stop]


class _Row:
    """The one-row CSR view inplace_csr_row_normalize_l2 needs (data, indices, indptr, shape)."""

    __slots__ = ("data", "indices", "indptr", "shape")

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray | None = None):
        self.data = data
        self.indices = indices
        self.indptr = np.array([0, len(data)], dtype=indices.dtype) if indptr is None else indptr
        self.shape = (len(self.indptr) - 1, 0)
