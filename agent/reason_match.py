"""Which offered cancellation reason is ours. Pure: no browser, no I/O, no locale data.

`wanted` is a canonical key (`wrong_item`), a synonym from the selector pack, or free text. Every
wording comes from the pack and is passed in (`synonyms`: key → phrases of the page locale, then
English; `blames_seller`: the keys the pack flags in `[reasons_meta]`).

- A key or a synonym is matched against the offered options exactly, then with rapidfuzz's
  `token_set_ratio` (a drifted site wording still matches its key), guarded so that no other key's
  synonyms fit the option as well (a look-alike of another key never wins).
- Free text is scored by word coverage in both directions (`free_text_score`): the query's words
  must be found in the option (or in a synonym of the key the option is recognised as) AND must
  cover the option's significant words. A word's weight is how well it tells the reasons apart
  (inverse frequency over the keys), so "the", "a", "o", "supplier" weigh little and a short or
  generic query cannot win just because all its words appear in a long option.
- A reason that blames the seller (`blames_seller`) is chosen only when `wanted` names its key:
  never from free text, not even from its exact wording (reasons that blame the seller count
  against the seller: cancellation-rules.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz

from agent.errors import ReasonNotOffered
from agent.parsing import fold_accents

__all__ = [
    "AMBIGUITY_MARGIN",
    "REASON_KEYS",
    "ReasonChoice",
    "free_text_score",
    "match_reason",
    "normalise_reason",
]

REASON_KEYS = (
    "changed_mind",
    "wrong_item",
    "duplicate_order",
    "wrong_address",
    "out_of_stock",
    "shipping_too_long",
    "found_cheaper",
    "seller_asked",
    "other",
)
AMBIGUITY_MARGIN = 5  # two different options this close to each other: refuse rather than pick one
BLAME_BAR = 70  # an option that scores this against a seller-blaming key's synonyms is treated as blaming
WORD_SIMILARITY = 80  # two words of 4+ letters this similar (rapidfuzz ratio) are the same word
UNKNOWN_WORD = ""  # the weights' entry for a word no reason uses (never a word itself: words are split)


class ReasonChoice(BaseModel):
    """The offered option chosen for a wanted reason, and how it was found."""

    model_config = ConfigDict(frozen=True)

    text: str  # exactly as offered
    index: int  # position in the offered list
    score: float  # 100 for exact
    method: Literal["exact", "fuzzy", "fallback_other"]
    key: str | None  # canonical key, None when `wanted` was free text


def normalise_reason(text: str) -> str:
    """Fold case/accents, drop plural markers ("product(s)", "está(ão)"), apostrophes and punctuation."""
    folded = fold_accents(text)
    folded = re.sub(r"\(\w{1,3}\)", "", folded)
    folded = re.sub(r"['’`]", "", folded)
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


def match_reason(
    wanted: str,
    offered: list[str],
    synonyms: Mapping[str, list[str]],
    threshold: int = 80,
    fallback_other: bool = False,
    *,
    blames_seller: Collection[str] = (),
) -> ReasonChoice:
    """Pick the offered option for `wanted` (a canonical key, a synonym, or free text).

    Raises ReasonNotOffered listing the options (and, when free text pointed at a reason that blames
    the seller, the key that would choose it), unless `fallback_other` picks the `other` option.
    """
    key = _reason_key(wanted, synonyms, blames_seller)
    hint = ""
    if key is not None:
        phrases = synonyms.get(key, [])
        choice = _exact(offered, phrases, key) or _fuzzy(offered, phrases, key, synonyms, threshold)
    else:
        choice, hint = _free_text(wanted, offered, synonyms, threshold, blames_seller)
    if choice is not None:
        return choice
    if fallback_other and key != "other":
        other = _exact(offered, synonyms.get("other", []), "other") or _fuzzy(
            offered, synonyms.get("other", []), "other", synonyms, threshold
        )
        if other is not None:
            return other.model_copy(update={"method": "fallback_other"})
    raise ReasonNotOffered(wanted, offered, hint)


def _reason_key(wanted: str, synonyms: Mapping[str, list[str]], blames: Collection[str]) -> str | None:
    """`wanted` as a canonical key: the key itself (any case), or the key whose synonym it is exactly —
    except a key that blames the seller, which only its own name selects."""
    if wanted in synonyms or wanted in REASON_KEYS:
        return wanted
    norm = normalise_reason(wanted)
    for key in synonyms:
        if norm == normalise_reason(key):
            return key
    for key, phrases in synonyms.items():
        if key not in blames and norm in {normalise_reason(p) for p in phrases}:
            return key
    return None


def _exact(offered: list[str], phrases: list[str], key: str | None) -> ReasonChoice | None:
    wanted = {normalise_reason(p) for p in phrases}
    for index, text in enumerate(offered):
        if normalise_reason(text) in wanted:
            return ReasonChoice(text=text, index=index, score=100.0, method="exact", key=key)
    return None


def _score(option: str, phrases: list[str]) -> float:
    norm = normalise_reason(option)
    return max((fuzz.token_set_ratio(norm, normalise_reason(p)) for p in phrases), default=0.0)


def _fuzzy(
    offered: list[str],
    phrases: list[str],
    key: str | None,
    synonyms: Mapping[str, list[str]],
    threshold: int,
) -> ReasonChoice | None:
    scored = sorted(((_score(text, phrases), i) for i, text in enumerate(offered)), reverse=True)
    eligible = [(s, i) for s, i in scored if s >= threshold and _best_key_is(offered[i], key, s, synonyms)]
    if not eligible:
        return None
    score, index = eligible[0]
    runner_up = next((s for s, i in scored if i != index and offered[i] != offered[index]), 0.0)
    if score - runner_up < AMBIGUITY_MARGIN:
        return None  # two options fit about equally well ("wrong" fits both wrong_* options)
    return ReasonChoice(text=offered[index], index=index, score=round(score, 1), method="fuzzy", key=key)


def _best_key_is(option: str, key: str | None, score: float, synonyms: Mapping[str, list[str]]) -> bool:
    """No other key's synonyms fit `option` as well as ours do."""
    return all(_score(option, phrases) < score for k, phrases in synonyms.items() if k != key)


# ---------------------------------------------------------------- free text


def _free_text(
    wanted: str,
    offered: list[str],
    synonyms: Mapping[str, list[str]],
    threshold: int,
    blames: Collection[str],
) -> tuple[ReasonChoice | None, str]:
    """The option free text means, or None and, when it pointed at a seller-blaming option, a hint."""
    keys = [_option_key(text, synonyms, threshold) for text in offered]
    weights = word_weights(offered, keys, synonyms)
    scored = sorted(
        ((_free_score(wanted, [text, *synonyms.get(keys[i] or "", [])], weights), i)
         for i, text in enumerate(offered)),
        reverse=True,
    )  # fmt: skip
    if not scored or scored[0][0] < threshold:
        return None, ""
    score, index = scored[0]
    blamed = _blaming_key(offered[index], keys[index], synonyms, blames, threshold)
    if blamed is not None:
        return None, (
            f"{offered[index]!r} blames the seller: it is chosen only by its key, never from free text "
            f"(--reason {blamed}, if that is what happened)"
        )
    runner_up = next((s for s, i in scored if i != index and offered[i] != offered[index]), 0.0)
    if score - runner_up < AMBIGUITY_MARGIN:
        return None, ""
    exact = normalise_reason(wanted) == normalise_reason(offered[index])
    method: Literal["exact", "fuzzy"] = "exact" if exact else "fuzzy"
    return ReasonChoice(text=offered[index], index=index, score=round(score, 1), method=method, key=None), ""


def _option_key(option: str, synonyms: Mapping[str, list[str]], threshold: int) -> str | None:
    """The key an offered option is recognised as: its synonyms fit best, at least `threshold`, alone."""
    scored = sorted(((_score(option, phrases), key) for key, phrases in synonyms.items()), reverse=True)
    if not scored or scored[0][0] < threshold or (len(scored) > 1 and scored[1][0] >= scored[0][0]):
        return None
    return scored[0][1]


def _blaming_key(
    option: str, key: str | None, synonyms: Mapping[str, list[str]], blames: Collection[str], threshold: int
) -> str | None:
    """The seller-blaming key `option` is (or looks like, with a lower bar: when in doubt, it blames)."""
    if key in blames:
        return key
    bar = min(threshold, BLAME_BAR)
    scores = [(_score(option, synonyms[k]), k) for k in blames if k in synonyms]
    best = max(scores, default=(0.0, ""))
    return best[1] if best[0] >= bar else None


def word_weights(
    offered: Sequence[str], keys: Sequence[str | None], synonyms: Mapping[str, list[str]]
) -> dict[str, float]:
    """How well each word tells the reasons apart: log((n + 1) / df) over n "documents", one per key
    (its synonyms plus the offered options recognised as it) and one per unrecognised option."""
    docs: dict[str, set[str]] = {key: _words(" ".join(phrases)) for key, phrases in synonyms.items()}
    for text, key in zip(offered, keys, strict=True):
        docs.setdefault(key or f"\0{text}", set()).update(_words(text))
    df: dict[str, int] = {}
    for words in docs.values():
        for word in words:
            df[word] = df.get(word, 0) + 1
    n = len(docs)
    return {word: math.log((n + 1) / count) for word, count in df.items()} | {UNKNOWN_WORD: math.log(n + 1)}


def free_text_score(query: str, phrase: str, weights: Mapping[str, float]) -> float:
    """0–100: the harmonic mean of the weighted share of the query's words found in `phrase` and the
    weighted share of `phrase`'s words found in the query. A word unknown to `weights` weighs the most
    (`weights[UNKNOWN_WORD]`): a query word the reasons never use ("pay") is a word that does not match."""
    query_words, phrase_words = _words(query), _words(phrase)
    found = _coverage(query_words, phrase_words, weights)
    covered = _coverage(phrase_words, query_words, weights)
    if found == 0 or covered == 0:
        return 0.0
    return 100 * 2 * found * covered / (found + covered)


def _free_score(query: str, phrases: list[str], weights: Mapping[str, float]) -> float:
    return max(free_text_score(query, phrase, weights) for phrase in phrases)


def _coverage(words: set[str], other: set[str], weights: Mapping[str, float]) -> float:
    unknown = weights.get(UNKNOWN_WORD, 1.0)
    total = sum(weights.get(w, unknown) for w in words)
    hit = sum(weights.get(w, unknown) for w in words if any(_same_word(w, o) for o in other))
    return hit / total if total else 0.0


def _same_word(a: str, b: str) -> bool:
    """Equal, or two words of 4+ letters that differ by an ending ("products"/"product", "duplicated")."""
    return a == b or (min(len(a), len(b)) >= 4 and fuzz.ratio(a, b) >= WORD_SIMILARITY)


def _words(text: str) -> set[str]:
    return set(normalise_reason(text).split())
