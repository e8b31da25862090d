"""The trained second opinion: a small text classifier that hears red flags no pattern foresaw.

Patterns (``detector.py``) are precise but only as good as their word lists; patients find new
words every day. This classifier learns from the varied example messages in ``data/safety/``
(each labelled with its red flag, or ``none`` for denied, someone else's, long-past, figurative
and ordinary messages) and gives the probability that a message reports a red flag of the
writer's own. It is a scikit-learn logistic regression (red flag or not: a binary model was
clearly more precise than one class per red flag) over character and word n-grams of the
normalised text: small (about 1,500 examples), trained at start-up in seconds, deterministic and
inspectable. It can raise an alarm; it never lowers one (the patterns are the floor).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from spacy.lang.en.stop_words import STOP_WORDS

from bot.knowledge import KnowledgeError, read_yaml
from bot.safety.normalise import normalise

NONE = "none"
# A missed red flag costs more than a false alarm: red-flag examples count twice. Chosen by 5-fold
# cross-validation on the training examples (patterns and classifier together, threshold 0.8):
# weight 1 caught 0.964 of tier-1 examples with 0.091 false alarms on the hard negatives, weight 2
# 0.973 with 0.098, weight 3 0.977 with 0.105 (docs/safety.md).
RED_FLAG_WEIGHT = 2.0
# Words every back-pain message shares (see has_more_than_back_pain).
_BACK_PAIN_WORDS = re.compile(
    r"\b(?:back|backs|backache|backaches|lower|low|lumbar|spine|spinal|sciatica|pain|pains|"
    r"painful|hurt|hurts|hurting|ache|aches|aching|achy|sore|soreness|stiff|stiffness|tight|"
    r"killing|kills|agony|bad|worse|really|very|so|"
    # when it started: "back ache since monday" is ordinary back pain too
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thu|fri|"
    r"sat|sun|today|yesterday|morning|mornings|weekend|day|days|week|weeks|month|months|ago|"
    r"started|start|began|since)\b"
)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Opinion:
    probability: float  # that the message reports a red flag of the writer's own


def _features() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
        ]
    )


class RedFlagClassifier:
    def __init__(
        self,
        texts: list[str],
        labels: list[str],
        vocabulary: frozenset[str],
        tiers: dict[str, int] | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.model = Pipeline(
            [
                ("features", _features()),
                (
                    "model",
                    LogisticRegression(
                        C=16.0, class_weight={False: 1.0, True: RED_FLAG_WEIGHT}, max_iter=3000
                    ),
                ),
            ]
        )
        self.labels = sorted(set(labels))
        normalised = [normalise(t, vocabulary) for t in texts]
        self.model.fit(normalised, [lab != NONE for lab in labels])
        self.tier_model = self._tier_model(normalised, labels, tiers or {})

    @staticmethod
    def _tier_model(normalised: list[str], labels: list[str], tiers: dict[str, int]) -> Any:
        """Tier 1 or tier 2, learnt from the red-flag examples alone (None without both tiers).

        The patterns set a red flag's tier; this only speaks when they heard a tier-2 red flag in
        a message the classifier is sure of, and the words sound like tier 1 ("my bum feels like
        it has gone to sleep and won't wake up", read by the patterns as pain at night)."""
        pairs = [
            (text, tiers[lab] == 1)
            for text, lab in zip(normalised, labels, strict=True)
            if lab in tiers
        ]
        if len({is_tier_1 for _, is_tier_1 in pairs}) < 2:
            return None
        model = Pipeline(
            [("features", _features()), ("model", LogisticRegression(C=16.0, max_iter=3000))]
        )
        return model.fit([text for text, _ in pairs], [is_tier_1 for _, is_tier_1 in pairs])

    def tier_1_probability(self, text: str) -> float:
        """How surely a message the classifier takes for a red flag is tier 1 (0: no tier model)."""
        if self.tier_model is None:
            return 0.0
        return float(self.tier_model.predict_proba([normalise(text, self.vocabulary)])[0][1])

    def opinion(self, text: str) -> Opinion:
        normalised = normalise(text, self.vocabulary)
        if not has_more_than_back_pain(normalised):
            return Opinion(0.0)
        probability = self.model.predict_proba([normalised])[0][1]
        return Opinion(float(probability))


def cached_classifier(
    texts: list[str],
    labels: list[str],
    vocabulary: frozenset[str],
    tiers: dict[str, int],
    cache_dir: Path,
) -> RedFlagClassifier:
    """The classifier fitted on these examples, from ``cache_dir`` when it was fitted before.

    Fitting took a third of every Rasa server's start (each replica, each restart, each test
    bot). The file is named by a hash of everything the fit depends on (examples, labels, the
    normaliser's vocabulary, tiers, this module's and the normaliser's code, scikit-learn's
    version), so a changed example or rule is a new file, never a stale model. Written by this
    process only (a pickle is code: never load one from elsewhere); a cache that cannot be written
    is skipped.
    """
    key = _fit_key(texts, labels, vocabulary, tiers)
    path = cache_dir / f"red-flag-classifier-{key}.pickle"
    try:
        with path.open("rb") as file:
            return pickle.load(file)  # written by _save below, named by its inputs
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    classifier = RedFlagClassifier(texts, labels, vocabulary, tiers)
    _save(classifier, path)
    return classifier


def _fit_key(
    texts: list[str], labels: list[str], vocabulary: frozenset[str], tiers: dict[str, int]
) -> str:
    import sklearn

    from bot.safety import normalise as normalise_module

    digest = hashlib.sha256()
    for part in (
        json.dumps([texts, labels, sorted(vocabulary), sorted(tiers.items())]),
        Path(__file__).read_text(encoding="utf-8"),
        Path(normalise_module.__file__).read_text(encoding="utf-8"),
        sklearn.__version__,
    ):
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()[:20]


def _save(classifier: RedFlagClassifier, path: Path) -> None:
    """Atomically (several servers may start at once): a temp file, then a rename."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as file:
            pickle.dump(classifier, file)
        os.replace(file.name, path)
    except OSError:
        pass


def has_more_than_back_pain(normalised: str) -> bool:
    """Whether a message says anything beyond "my back hurts" and small words.

    Every message to this bot is about back pain, and nearly every red-flag example mentions it,
    so the classifier learnt that a bare "my back hurts" or "low back pain" is a red flag (it gave
    them 0.99). A message with no other content word gets no opinion from it; the patterns still
    check every message.
    """
    rest = _BACK_PAIN_WORDS.sub(" ", normalised)
    return any(word not in STOP_WORDS for word in _WORD.findall(rest))


# Patients' long stories (issue 10) describe ordinary pain in many words ("it aches when I bend,
# and my leg feels off"); taught as ``none`` they pulled real red flags in the same words below
# the line (a dev-set tier-1 message was missed), so the classifier never learns from them: from
# no batch of them (``patient_written.yml``, ``patient_written_2.yml``, ...).
NOT_NONE_PREFIX = "patient_written"


def load_nlu_examples(folder: Path, skip_intents: set[str]) -> list[str]:
    """The bot's own intent training messages, as examples of ``none``: greetings, yes and no,
    booking and health questions must never sound like a red flag to the classifier."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.utils.io import list_files

    # Rasa's own file order (as load_data(folder) reads them), so the classifier is the same.
    files = [
        path for path in list_files(str(folder)) if not Path(path).name.startswith(NOT_NONE_PREFIX)
    ]
    data = load_data(files[0]).merge(*(load_data(path) for path in files[1:]))
    return [m.get("text") for m in data.intent_examples if m.get("intent") not in skip_intents]


def load_examples(folder: Path, known_labels: set[str]) -> tuple[list[str], list[str]]:
    """Every example in ``folder/*.yml``; labels must be red-flag ids or ``none``."""
    texts: list[str] = []
    labels: list[str] = []
    for path in sorted(folder.glob("*.yml")):
        content = read_yaml(path)
        for index, example in enumerate(content.get("examples") or []):
            where = f"{path}: example {index + 1}"
            if not isinstance(example, dict) or not isinstance(example.get("text"), str):
                raise KnowledgeError(f"{where}: needs a text")
            label = example.get("label")
            if label != NONE and label not in known_labels:
                raise KnowledgeError(f"{where}: unknown label {label!r}")
            texts.append(example["text"])
            labels.append(label)
    if NONE not in labels or len(set(labels)) < 2:
        raise KnowledgeError(f"{folder}: needs examples of red flags and of '{NONE}'")
    return texts, labels
