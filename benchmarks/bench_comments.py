"""The comment pipeline's speed and memory on 100,000 comments (issue 16).

Usage::

    python benchmarks/bench_comments.py                 # 100,000 comments, both data sets
    python benchmarks/bench_comments.py --n 5000        # a quick look
    python benchmarks/bench_comments.py --datasets distinct --no-whole

Two data sets of ``--n`` comments, each measured in its own child process (fresh caches,
its own peak memory):

* **as generated**: the comments of ``csat_toolkit.io.sample.make_sample`` with enough
  customers (``--n`` drawn with a seed from the answers with a comment). The generator
  combines a few hundred sentences, so the texts repeat: the pipeline detects, masks and
  tokenises each distinct text once, and this set shows that saving.
* **distinct**: the same answers (ids, surveys, scores, dates, segments), each comment
  rebuilt from the generator's word banks (``io.sample_comments.PHRASES``) with a seeded
  generator: 2 to 4 sentences of the comment's own language and tone, any topics, in a
  random order, redrawn until the text is new; 1% get a sentence with a fictitious e-mail
  address, phone or card number (as the generator). Every text is different, the
  vocabulary stays the generator's.

Steps, each timed once (wall and CPU seconds) with the kernel's memory high-water mark
reset before it (``/proc/self/clear_refs``; "peak MiB" is ``VmHWM`` minus the RSS before
the step), the tokeniser's and detector's caches (``lru_cache``) emptied before every step
that fills them, the models loaded before the first step (their load is reported apart):

* baseline: ``texts.str.lower().str.split()`` and a ``collections.Counter`` of the words:
  plain counting, no masking, no languages, no lemmas;
* the parts of ``comment_frame`` through the public functions it calls, in its order:
  ``mask_pii``, ``detect_languages``, ``tokenize_many`` (the comments in a language of the
  run), ``tone_of``; then ``comment_frame`` as a whole;
* ``distinguishing_terms`` (the notebook's ``min_count=5``, ``min_comments=50``),
  ``find_themes`` with ``n_themes=None`` (k chosen by stability) and ``n_themes=5``,
  ``load_topics`` + ``tag_topics``, ``topic_summary`` and ``topic_trend`` (monthly) for
  CSAT, ``keyword_in_context`` for one term in every language (``limit=None``);
* **whole**: the notebook's sequence end to end in one block (``comment_frame``,
  ``load_topics`` + ``tag_topics``, ``distinguishing_terms``, ``find_themes(n_themes=None)``,
  ``topic_summary``, ``topic_trend``, ``keyword_in_context``), caches emptied first.

Comments per second is the data set's comment count over the step's wall time. BLAS and
OpenMP run one thread (as ``make test``); seeds everywhere. Prints Markdown tables and
writes ``benchmarks/results/comments.json`` (git-ignored). A script, not a test: it
asserts nothing.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

# The memory probes every benchmark here shares (bench_metrics.py).
from bench_metrics import (  # noqa: E402
    _release_free_memory, _reset_hwm, _status_kib, machine as _machine,
)

DEFAULT_OUT = HERE / "results" / "comments.json"

SEED = 2024
N_COMMENTS = 100_000
MONTHS = 24
COMMENTS_PER_CUSTOMER = 3665 / 3000  # make_sample's default: 3,665 comments, 3,000 customers
KWIC_TERM = "refund"
FIXED_THEMES = 5
DATASETS = {"generated": "as generated", "distinct": "distinct"}

# step key -> label in the table
STEPS = {
    "baseline": "baseline: `str.lower().str.split()` + `Counter`",
    "mask_pii": "`mask_pii`",
    "detect_languages": "`detect_languages`",
    "tokenize_many": "`tokenize_many` (comments in a language of the run)",
    "tone_of": "`tone_of`",
    "parts": "comment_frame's parts, summed",
    "comment_frame": "`comment_frame` as a whole",
    "distinguishing_terms": "`distinguishing_terms` (min_count 5, min_comments 50)",
    "find_themes_auto": "`find_themes(n_themes=None)` (k by stability x coverage, on 5,000 per language)",
    "find_themes_fixed": f"`find_themes(n_themes={FIXED_THEMES})`",
    "tag_topics": "`load_topics` + `tag_topics`",
    "topic_summary": "`topic_summary` (CSAT)",
    "topic_trend": "`topic_trend` (CSAT, monthly)",
    "keyword_in_context": f"`keyword_in_context(\"{KWIC_TERM}\", limit=None)`",
    "whole": "whole pipeline, end to end (notebook 06's sequence)",
}


# --------------------------------------------------------------------------- data


def generated_comments(n: int, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` answers with a comment from the sample generator, and their truth rows."""
    from csat_toolkit.io.sample import comment_truth, make_sample

    customers = int(np.ceil(n / COMMENTS_PER_CUSTOMER * 1.05)) + 100
    while True:
        responses = make_sample(seed=seed, n_customers=customers, months=MONTHS)["responses"]
        text = responses["comment"].astype("string").str.strip()
        with_comment = responses[(text.notna() & (text != "")).to_numpy()]
        if len(with_comment) >= n:
            break
        customers = int(customers * 1.2)
    truth = comment_truth(seed=seed, n_customers=customers, months=MONTHS)
    picked = with_comment.sample(n=n, random_state=seed).sort_index()
    truth = truth.set_index("response_id").loc[picked["response_id"]].reset_index()
    return picked.reset_index(drop=True), truth


def load(answers: pd.DataFrame) -> pd.DataFrame:
    """The canonical frame, as the notebook reads it (PMF answers to numbers)."""
    from csat_toolkit import load_responses

    loaded = load_responses(answers)
    if len(loaded.data) != len(answers):
        raise SystemExit(f"load_responses set {len(answers) - len(loaded.data)} answers aside")
    return loaded.data.reset_index(drop=True)


_TONE_KEY = {"positive": "pos", "neutral": "neu", "negative": "neg"}


def distinct_comments(answers: pd.DataFrame, truth: pd.DataFrame,
                      seed: int = SEED) -> pd.Series:
    """A new, different comment for every answer, from the generator's word banks."""
    from csat_toolkit.io.sample_comments import PHRASES, PII, PII_KINDS, PII_NAMES, UNSPACED

    rng = np.random.default_rng([seed, 16, 100])
    banks: dict[tuple[str, str], list[str]] = {}
    for topic in PHRASES.values():
        for code, tones in topic.items():
            for key, sentences in tones.items():
                banks.setdefault((code, key), []).extend(sentences)
    seen: set[str] = set()
    out = []
    for code, tone in zip(truth["language"], truth["tone"]):
        bank = banks[(code, _TONE_KEY[tone])]
        joiner = "" if code in UNSPACED else " "
        k = int(rng.integers(2, 5))
        for _ in range(100):
            parts = [bank[i] for i in rng.choice(len(bank), size=min(k, len(bank)),
                                                 replace=False)]
            if rng.random() < 0.01:
                kind = int(rng.integers(len(PII_KINDS)))
                value = (f"{PII_NAMES[int(rng.integers(len(PII_NAMES)))]}@example.com",
                         f"+44 20 7946 0{int(rng.integers(1000)):03d}",
                         "4111 1111 1111 1111")[kind]
                parts.append(PII[code][kind].format(value=value))
            text = joiner.join(parts)
            if text not in seen:
                break
            k = min(k + 1, 6)
        seen.add(text)
        out.append(text)
    return pd.Series(out, index=answers.index, dtype=object)


def build(dataset: str, n: int, seed: int) -> pd.DataFrame:
    answers, truth = generated_comments(n, seed)
    if dataset == "distinct":
        answers = answers.assign(comment=distinct_comments(answers, truth, seed))
    return load(answers)


# ---------------------------------------------------------------------- measuring


def _clear_caches() -> None:
    """Empty the per-word and per-text caches (not the loaded models and stop words)."""
    from csat_toolkit.comments import language, tokens

    tokens._word_token.cache_clear()
    language._chinese_script.cache_clear()


def measure(name: str, fn, results: dict, clear: bool = False):
    """Run ``fn()`` once: wall, CPU and peak memory above the RSS before it."""
    if clear:
        _clear_caches()
    _release_free_memory()
    rss_before = _status_kib("VmRSS")["VmRSS"]
    reset = _reset_hwm()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = _status_kib("VmHWM")["VmHWM"]
    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = (after - rss_before) if reset else max(maxrss_after - maxrss_before, 0)
    results[name] = {"wall_s": wall, "cpu_s": cpu, "peak_mib": max(peak, 0) / 1024,
                     "hwm_reset": reset}
    print(f"#   {name}: {wall:.2f} s", file=sys.stderr, flush=True)
    return value


def baseline(texts: pd.Series) -> Counter:
    return Counter(itertools.chain.from_iterable(texts.str.lower().str.split()))


def _warm_up() -> float:
    """Load the detector, jieba, pythainlp, simplemma and stop words on one text each."""
    from csat_toolkit.comments import comment_frame
    from csat_toolkit.io.sample_comments import PHRASES

    texts = [PHRASES["delivery"][code]["neg"][0] for code in PHRASES["delivery"]]
    answers = pd.DataFrame({"response_id": range(len(texts)), "survey": "csat",
                            "score": 1, "comment": texts,
                            "responded_at": pd.Timestamp("2024-01-01")})
    start = time.perf_counter()
    comment_frame(answers)
    return time.perf_counter() - start


def child(dataset: str, n: int, seed: int, whole: bool) -> dict:
    from csat_toolkit.comments import (comment_frame, detect_languages, distinguishing_terms,
                                       find_themes, keyword_in_context, load_topics,
                                       tag_topics, tokenize_many, tone_of, topic_summary,
                                       topic_trend)
    from csat_toolkit.comments.language import LANGUAGES
    from csat_toolkit.core.pii import mask_pii

    start = time.perf_counter()
    answers = build(dataset, n, seed)
    build_s = time.perf_counter() - start
    load_s = _warm_up()
    texts = answers["comment"].astype("string").str.strip().astype(object)
    info = {"dataset": dataset, "comments": len(answers),
            "distinct_texts": int(texts.nunique()), "build_s": build_s, "load_s": load_s,
            "surveys": answers["survey"].value_counts().to_dict()}
    r: dict[str, dict] = {}
    measure("baseline", lambda: baseline(texts), r)

    masked = measure("mask_pii", lambda: mask_pii(texts).text, r)
    found = measure("detect_languages", lambda: detect_languages(masked, LANGUAGES), r,
                    clear=True)
    done = found["language_supported"].to_numpy(dtype=bool)
    measure("tokenize_many", lambda: tokenize_many(masked[done].tolist(),
                                                   found.loc[done, "language"].tolist()),
            r, clear=True)
    measure("tone_of", lambda: tone_of(answers["survey"], answers["score"]), r)
    r["parts"] = {k: sum(r[s][k] for s in ("mask_pii", "detect_languages", "tokenize_many",
                                           "tone_of")) for k in ("wall_s", "cpu_s")}
    r["parts"]["peak_mib"] = max(r[s]["peak_mib"] for s in ("mask_pii", "detect_languages",
                                                             "tokenize_many", "tone_of"))
    del masked, found
    comments = measure("comment_frame", lambda: comment_frame(answers), r, clear=True)
    frame, analysed = comments.frame, comments.analysed
    info["analysed"] = len(analysed)
    info["languages"] = frame["language"].value_counts().to_dict()
    terms = measure("distinguishing_terms", lambda: distinguishing_terms(
        analysed, min_count=5, min_comments=50), r)
    info["terms_tested"] = len(terms.table)
    auto = measure("find_themes_auto", lambda: find_themes(
        analysed, n_themes=None, min_comments=50, seed=seed, examples=3), r)
    info["themes_auto"] = auto.table.groupby("language").size().to_dict() \
        if "language" in auto.table else {}
    measure("find_themes_fixed", lambda: find_themes(
        analysed, n_themes=FIXED_THEMES, min_comments=50, seed=seed, examples=3), r)
    topics = load_topics()
    flags = measure("tag_topics", lambda: tag_topics(frame, load_topics()), r)
    measure("topic_summary", lambda: topic_summary(frame, flags, survey="csat", topics=topics),
            r)
    measure("topic_trend", lambda: topic_trend(frame, flags, "M", survey="csat"), r)
    kwic = measure("keyword_in_context", lambda: keyword_in_context(frame, KWIC_TERM,
                                                                    limit=None), r)
    info["kwic_rows"] = len(kwic)
    del comments, frame, analysed, terms, auto, flags, kwic

    def pipeline():
        c = comment_frame(answers)
        t = load_topics()
        f = tag_topics(c.frame, t)
        distinguishing_terms(c.analysed, min_count=5, min_comments=50)
        find_themes(c.analysed, n_themes=None, min_comments=50, seed=seed, examples=3)
        topic_summary(c.frame, f, survey="csat", topics=t)
        topic_trend(c.frame, f, "M", survey="csat")
        keyword_in_context(c.frame, KWIC_TERM, limit=None)

    if whole:
        measure("whole", pipeline, r, clear=True)
    info["steps"] = r
    info["ru_maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return info


# ------------------------------------------------------------------------ parent


def _child(args: list[str]) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args],
                          stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"child {' '.join(args)} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict:
    """bench_metrics' machine description, with the commit and the date of the run."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                capture_output=True).stdout.strip()
    except OSError:
        commit = None
    return {**_machine(), "commit": commit, "date": time.strftime("%Y-%m-%d %H:%M")}


def _fmt(value: float, digits: int = 2) -> str:
    return f"{value:,.{digits}f}"


def markdown(results: list[dict]) -> str:
    head = ["step"]
    for res in results:
        name = DATASETS[res["dataset"]]
        head += [f"{name}: s", f"{name}: CPU s", f"{name}: comments/s",
                 f"{name}: peak MiB", f"{name}: × baseline"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for key, label in STEPS.items():
        if not all(key in res["steps"] for res in results):
            continue
        row = [label]
        for res in results:
            step, n = res["steps"][key], res["comments"]
            base = res["steps"]["baseline"]["wall_s"]
            row += [_fmt(step["wall_s"]), _fmt(step["cpu_s"]),
                    f"{n / step['wall_s']:,.0f}" if step["wall_s"] > 0 else "-",
                    _fmt(step["peak_mib"], 0), _fmt(step["wall_s"] / base, 1)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def describe(results: list[dict]) -> str:
    out = []
    for res in results:
        out.append(
            f"- {DATASETS[res['dataset']]}: {res['comments']:,} comments, "
            f"{res['distinct_texts']:,} distinct texts, {res['analysed']:,} analysed; "
            f"languages {res['languages']}; built in {res['build_s']:.1f} s; models loaded "
            f"in {res['load_s']:.1f} s; {res['terms_tested']:,} terms tested; theme rows "
            f"per language (k chosen) {res['themes_auto']}; {res['kwic_rows']:,} rows for "
            f"\"{KWIC_TERM}\"; child peak RSS (ru_maxrss) {res['ru_maxrss_mib']:,.0f} MiB")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=N_COMMENTS, help="comments per data set")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-whole", action="store_true",
                        help="skip the end-to-end run (it repeats every step)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="print the tables of an earlier results file; measure nothing")
    parser.add_argument("--child", metavar="DATASET", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.child, args.n, args.seed, not args.no_whole),
                         default=str))
        return 0
    if args.render:
        saved = json.loads(args.render.read_text())
        print(markdown(saved["results"]))
        print()
        print(describe(saved["results"]))
        return 0

    info = machine()
    print(f"# {info['cpu']}, {info['nproc']} cpus; Python {info['python']}, pandas "
          f"{info['pandas']}; commit {info['commit']}; load {info['loadavg_at_start']}",
          file=sys.stderr)
    results = []
    for dataset in args.datasets:
        print(f"# {DATASETS[dataset]}: {args.n:,} comments ...", file=sys.stderr, flush=True)
        extra = ["--no-whole"] if args.no_whole else []
        results.append(_child(["--child", dataset, "--n", str(args.n),
                               "--seed", str(args.seed), *extra]))
    info["loadavg_at_end"] = list(os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": info, "n": args.n, "seed": args.seed,
                                    "results": results}, indent=2, default=str))
    print(markdown(results))
    print()
    print(describe(results))
    print(f"\nload average at the start {info['loadavg_at_start']}, at the end "
          f"{info['loadavg_at_end']}; {info['nproc']} CPUs; commit {info['commit']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
