"""Which of the coder's languages a line is in: English, Vietnamese or Chinese.

A small hand-written detector over script and common words, enough to tell three
languages apart (`mitrainer code --lang auto`):

* Han characters → Chinese (Kana or Hangul beside them → another language);
* Latin letters with Vietnamese diacritics (ă â đ ê ô ơ ư, tone marks) → Vietnamese;
* Latin letters without them: Vietnamese typed plain ("anh co muon bot khong") is told from
  English by its common words and by the shape of its syllables (onset, vowel, one of eight
  final consonants: "drink", "stress", "feel" are not Vietnamese syllables).

A line too short to tell ("Ok.", "Mm") is read in the language of the lines before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mitrainer.coding.languages import vi

ENGLISH, VIETNAMESE, CHINESE = "en", "vi", "zh"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u1100-\u11ff\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[a-z']+")
# A Vietnamese syllable in plain form: onset, vowels, an optional final consonant.
_SYLLABLE = re.compile(r"(b|c|ch|d|g|gh|gi|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)?"
                       r"[aeiouy]{1,3}(c|ch|m|n|ng|nh|p|t)?")
# Words common in one language and rare or absent in the other's plain form ("the" is
# "thế", "can" is "cần", "me" is "mẹ", "do" is "do": left out of both).
_VI_WORDS = frozenset(
    "toi anh chi em khong ko co duoc dc la cua nhung minh nguoi nay roi thi ma vay nao gi lam voi mot "
    "nhieu biet muon phai nen uong thuoc cung da dang se nua qua hay neu vi con nha ngay sao chua oi nhe "
    "u chu cai nhu thay noi hoi viec chuyen cach den lai ra len xuong trong ngoai sau truoc hon nhat rat "
    "luc khi vao day kia ay vang ha nhi thoi moi cho de ve di bao gio tu dau ai dung ban kham bo "
    "j vs r bt mk cx ntn".split())
_EN_WORDS = frozenset(
    "the and you your i it that is of what how are was were with this for have has be been not like feel "
    "just but if would want don't i'm you're it's there they he she we about so at or from could should "
    "will my me really think know going get got when why where which who them their our us can't didn't "
    "doesn't isn't that's you've you'd you'll i've i'd i'll let's yeah okay ok well right sounds".split())


def _latin_language(words: list[str]) -> str | None:
    """English or Vietnamese by common words and syllable shape; None when too short to tell."""
    vi_hits = sum(1 for w in words if w in _VI_WORDS)
    en_hits = sum(1 for w in words if w in _EN_WORDS)
    shaped = sum(1 for w in words if _SYLLABLE.fullmatch(w)) / len(words)
    if vi_hits > en_hits and shaped >= 0.6:
        return VIETNAMESE
    if en_hits > vi_hits or (en_hits and shaped < 0.6):
        return ENGLISH
    if len(words) >= 3:
        return VIETNAMESE if shaped >= 0.9 else ENGLISH
    return None


def detect_language(text: str, before: Sequence[str] = (), default: str | None = None) -> str | None:
    """"en", "vi" or "zh" for ``text``; None when it is in another language or script.

    ``before`` are earlier lines of the conversation (most recent last): a line too short
    or plain to tell ("Ok.", "Mm-hmm") is read in the language of the last of them that can
    be told, else taken to be in ``default``.
    """
    found: str | None = _detect(text)
    if found == _UNDECIDED:
        found = next((lang for lang in map(_detect, reversed(before[-4:])) if lang in READ), default)
    return found if found in READ else None


READ = (ENGLISH, VIETNAMESE, CHINESE)
_UNDECIDED, _OTHER = "undecided", "other"


def _detect(text: str) -> str:
    """One of :data:`READ`, ``_OTHER`` (another language or script) or ``_UNDECIDED``."""
    sample = text[:600]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return _UNDECIDED
    han = sum(1 for ch in letters if _HAN.match(ch))
    if _KANA_HANGUL.search(sample):
        return _OTHER
    if han / len(letters) >= 0.3:
        return CHINESE
    latin = sum(1 for ch in letters if ch.isascii())
    marked = sum(1 for ch in letters if vi.MARKED_LETTERS.match(ch.lower()))
    if (latin + marked) / len(letters) < 0.8:
        return _OTHER  # Cyrillic, Thai, Arabic…
    lower = sample.lower()
    words = [w.strip("'") for w in _LATIN_WORD.findall(vi.strip_marks(lower))]
    words = [part for w in words if w for part in vi.SHORTHAND.get(w, w).split()]
    if not words:
        return _UNDECIDED
    by_words = _latin_language(words)
    marked_words = sum(1 for w in re.findall(r"[^\W\d_]+", lower) if vi.MARKED_LETTERS.search(w))
    # Vietnamese names in an English line ("Bác sĩ Phúc showed me the paper") leave it English.
    share = marked_words / len(words)
    if (by_words != ENGLISH and share >= 0.15) or share >= 0.5:
        return VIETNAMESE
    return by_words or _UNDECIDED
