"""Tesseract OCR of one picture (the clean-up before it is in ``cleanup.py``). Tesseract runs as a
subprocess with a timeout.

Why the ``tesseract`` binary and not pytesseract: pytesseract is itself a thin wrapper around the
same subprocess, writing temporary files; calling the binary directly (image on stdin, TSV on
stdout) is a few lines, needs no extra dependency, and gives full control of the timeout and the
kill. ``OMP_THREAD_LIMIT=1``: Tesseract's OpenMP threads make one page slower on a small
machine (one page with vie+eng: 1.3 s single-threaded, 3.7 s with threads on 2 cores) and would compete
with the relay's other work.

Language: ``vie`` alone, not ``vie+eng``. With English loaded, Tesseract reads words in capitals
with the English model and drops their diacritics: the same clean scan gives "TUYET MAT" with
vie+eng and "TUYỆT MẬT" with vie (and "TOI MAT" for "TỐI MẬT" on a red stamp), while the mark
rules must not strip diacritics (mặt, mất, mắt are not mật). The Vietnamese model has the whole
Latin alphabet: English text, e-mail addresses and numbers read the same. It is also faster
(about 1.0 s against 1.3 s for a page).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from statistics import median

from PIL import Image

LANGUAGES = "vie"  # see above: not vie+eng
CONFIDENT = 60.0  # a word Tesseract is this sure of (0-100) counts as read
MIN_STEP_SECONDS = 1.0  # no Tesseract run is started with less time than this left


class OcrTimeout(Exception):
    """Tesseract did not finish before the deadline."""


@dataclass(frozen=True)
class OcrText:
    lines: tuple[str, ...]
    words: int
    confident_words: int  # words of two letters or digits or more read with CONFIDENT or more
    lettered: int = 0  # of the confident words, those with letters (not a number alone)
    vietnamese: int = 0  # of these, the ones spelt as a Vietnamese syllable (see is_syllable)


# --- Is it Vietnamese? ----------------------------------------------------------------------------
# A page read the wrong way up (upside down, sideways) gives Tesseract's garbage, some of it
# "confident": 'Bued3 ÁeBu 3on4 enb oeq uenb Buonp'. Vietnamese words are syllables of a strict
# shape (an initial consonant, a vowel group, a final consonant, one tone mark at most), which
# 94 % of the confident words of a real page have, and 8 % of that garbage.

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook, dot below
_VOWELS = ("a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô uơ ưa ưi ươ "
           "ưu uy yê iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyê uyu")
_VOWEL_GROUPS = sorted(_VOWELS.split(" "), key=len, reverse=True)
_SYLLABLE = re.compile("(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx])?(?:{})(?:ch|nh|ng|[cmnpt])?".format(
    "|".join(_VOWEL_GROUPS)))
_EDGE_PUNCTUATION = "\"'“”‘’.,:;!?()[]{}<>-–—…*«»/\\|"


def is_syllable(word: str) -> bool:
    """A Vietnamese syllable, in lower case, capitals or capitalised: "mật", "TỐI", "Khánh"."""
    if not word.isalpha() or not (word.islower() or word.isupper() or word.istitle()):
        return False
    letters = unicodedata.normalize("NFD", word.lower())
    if sum(ch in _TONES for ch in letters) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in letters if ch not in _TONES))
    return _SYLLABLE.fullmatch(base) is not None


@lru_cache(maxsize=1)
def tesseract_binary() -> str | None:
    """The tesseract binary, if it is installed with the Vietnamese model (Debian's tesseract-ocr-vie)."""
    binary = shutil.which("tesseract")
    if not binary:
        return None
    try:
        listing = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    languages = set(listing.stdout.split()) | set(listing.stderr.split())
    return binary if set(LANGUAGES.split("+")) <= languages else None


def run_tesseract(image: Image.Image, psm: int, timeout: float) -> OcrText:
    """OCR of a prepared (binary or grayscale) image; raises OcrTimeout, or OSError if it fails."""
    binary = tesseract_binary()
    if binary is None:
        raise OSError(f"tesseract with the {LANGUAGES} model is not installed")
    buffer = io.BytesIO()
    image.save(buffer, "PPM")  # PBM/PGM: no compression to spend time on, Leptonica reads it
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    args = [binary, "stdin", "stdout", "-l", LANGUAGES, "--psm", str(psm), "-c", "preserve_interword_spaces=1",
            "tsv"]
    try:
        done = subprocess.run(args, input=buffer.getvalue(), capture_output=True, timeout=timeout, env=env,
                              check=False)
    except subprocess.TimeoutExpired as exc:  # subprocess.run kills the child before raising
        raise OcrTimeout from exc
    if done.returncode != 0:
        raise OSError(f"tesseract failed: {done.stderr.decode('utf-8', 'replace')[-200:]}")
    return parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> OcrText:
    """Words grouped into Tesseract's lines; a wide gap between two words (a layout column, a
    table cell) becomes a tab, so that a stamp beside other text still stands alone in its cell."""
    lines: dict[tuple[str, ...], list[tuple[int, int, int, str]]] = {}
    confident = total = lettered = vietnamese = 0
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            left, width, height, conf = int(cols[6]), int(cols[8]), int(cols[9]), float(cols[10])
        except ValueError:
            continue
        word = cols[11].strip()
        total += 1
        lines.setdefault(tuple(cols[1:5]), []).append((left, left + width, height, word))
        if conf >= CONFIDENT and sum(ch.isalnum() for ch in word) >= 2:
            confident += 1
            bare = word.strip(_EDGE_PUNCTUATION)
            if any(ch.isalpha() for ch in bare):
                lettered += 1
                vietnamese += is_syllable(bare)
    out: list[str] = []
    for words in lines.values():
        words.sort()
        gap_limit = 1.5 * median(h for _, _, h, _ in words)
        text = words[0][3]
        for (_, end, _, _), (start, _, _, word) in pairwise(words):
            text += ("\t" if start - end > gap_limit else " ") + word
        out.append(text)
    return OcrText(tuple(out), total, confident, lettered, vietnamese)


# --- Preparation -------------------------------------------------------------------------------
