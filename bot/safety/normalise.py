"""Rewrites a patient's message into one spelling before red flags are looked for.

Patients type on phones: curly apostrophes, "cant"/"cnt"/"can’t", "u r", "sooo numb", "acident".
Listing every spelling in the patterns would never end, so the text is brought to one form first:
Unicode quotes to ASCII, negative contractions spelt out ("can't" -> "can not"), SMS shorthand
expanded, letters repeated three or more times squeezed, and words that are not English but are
one or two edits (a swap of two letters is one) from a red-flag term replaced by that term.
Whether a word is English is read from spaCy's own lemma lookup table (``spacy-lookups-data``),
so "never" is never taken for "fever".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"'})

# Negative contractions (with or without the apostrophe) and SMS spellings of them.
_CONTRACTIONS = {
    r"can'?t|cnt|cannot|cann?t|carnt|kant|cant'": "can not",
    r"couldn'?t|couldnt|cudnt|couldent": "could not",
    r"don'?t|dont|dnt": "do not",
    r"doesn'?t|doesnt|dosnt|dosent": "does not",
    r"didn'?t|didnt|didint": "did not",
    r"won'?t|wont|wouldn'?t|wouldnt": "will not",
    r"isn'?t|isnt|aren'?t|arent|wasn'?t|wasnt|weren'?t|werent": "is not",
    r"haven'?t|havent|hasn'?t|hasnt|hadn'?t|hadnt": "have not",
    r"i'?m|im": "i am",
    r"i'?ve|ive": "i have",
    r"it'?s": "it is",
}
_SMS = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "rn": "right now",
    "pls": "please",
    "plz": "please",
    "w/": "with",
    "w/o": "without",
    "b4": "before",
    "2day": "today",
    "2nite": "tonight",
    "nite": "night",
    "tonite": "tonight",
    "tmrw": "tomorrow",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "abt": "about",
    "ppl": "people",
    "idk": "i do not know",
    "lbp": "low back pain",
    "yr": "year",
    "yrs": "years",
    "yo": "years old",
    "hrs": "hours",
    "wks": "weeks",
    "wk": "week",
    "mo": "month",
    "mos": "months",
    "temp": "temp",
    "ca": "cancer",
    "hx": "history",
    "er": "emergency room",
    "b/c": "because",
    # comparatives as second-language writers make them: "pain much badder in night time"
    "badder": "worse",
    "worser": "worse",
}
_CONTRACTION_RE = [
    (re.compile(rf"\b(?:{pattern})(?![\w'])", re.IGNORECASE), words)
    for pattern, words in _CONTRACTIONS.items()
]
_WORD = re.compile(r"[a-z]+(?:/[a-z0-9]+)?|[a-z0-9]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"\s+")
MIN_FUZZY_LENGTH = 4
COMMON_WORD_LOGPROB = -16.0


def normalise(text: str, vocabulary: Iterable[str] = ()) -> str:
    """The message in one spelling: lower case, ASCII quotes, contractions and shorthand spelt out.

    ``vocabulary`` holds the red-flag terms that misspellings are corrected to.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    for pattern, words in _CONTRACTION_RE:
        text = pattern.sub(words, text)
    text = _REPEATS.sub(r"\1\1", text)
    corrector = _corrector(frozenset(vocabulary))
    text = _WORD.sub(lambda match: corrector(match.group(0)), text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=4)
def _corrector(vocabulary: frozenset[str]):
    """A function word -> word spelt as the patient meant it (SMS shorthand, typos of key terms)."""
    targets = sorted(w for w in vocabulary if len(w) >= MIN_FUZZY_LENGTH and w.isalpha())
    english = _english_words()

    @lru_cache(maxsize=20_000)
    def correct(word: str) -> str:
        if word in _SMS:
            return _SMS[word]
        if len(word) < MIN_FUZZY_LENGTH or not word.isalpha() or word in english:
            return word
        if word in vocabulary:
            return word
        allowed = 1 if len(word) < 9 else 2
        if len(word) == 4 and not word.startswith(tuple(t[0] for t in targets)):
            return word
        best = process.extractOne(word, targets, scorer=OSA.distance, score_cutoff=allowed)
        return best[0] if best else word

    return correct


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Words common enough in English to be meant as typed ("never", "fewer", "urinate").

    From spaCy's word-frequency table: rare forms ("acident", log-probability about -18.5) are
    mostly misspellings, so they may be corrected to a red-flag term.
    """
    import spacy_lookups_data
    import srsly

    table = srsly.read_gzip_json(spacy_lookups_data.get_file("en_lexeme_prob.json.gz"))
    return frozenset(word for word, logprob in table.items() if logprob >= COMMON_WORD_LOGPROB)
