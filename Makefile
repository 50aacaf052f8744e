# csat_toolkit: the two commands are `make report` and `make test`.
# Each sets up its own environment (.venv, from the lock file) first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test nbval setup spark lock sample benchmark clean help

help:
	@echo "make report     set up and run every notebook on the bundled sample data -> reports/latest/index.html"
	@echo "make test       set up and run the whole test suite"
	@echo "make nbval      run every notebook with its defaults under nbval (lax)"
	@echo "make sample     regenerate data/sample/ with the seeded generator"
	@echo "make benchmark  measure speed and memory (see benchmarks/README.md)"
	@echo "make spark      add PySpark (the spark extra, needs Java 17) to .venv"
	@echo "make lock       re-resolve dependencies into requirements.lock"

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (csat_toolkit)" >/dev/null
	touch $(STAMP)

# The spark extra (engine: spark); .ci/run adds it so the cross-engine tests run on Spark.
spark: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-spark.lock

report: $(STAMP)
	$(BIN)/csat-toolkit run --out reports/latest

# Every core; the tests of one notebook configuration share a worker (xdist_group), which
# runs that configuration once. Bytecode caches are written (git-ignored) even where the
# environment says not to, so the ~60 notebook kernels do not each recompile the package.
# One BLAS thread per worker: the workers already fill the cores, and the analyses' small
# matrix products only wait on a second thread (the runner starts kernels the same way).
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/python -m pytest -n auto --dist loadgroup

nbval: $(STAMP)
	$(BIN)/python -m pytest -o addopts="" -p no:cacheprovider --nbval-lax --nbval-current-env notebooks

sample: $(STAMP)
	$(BIN)/csat-toolkit sample-data --out data/sample

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_metrics.py
	$(BIN)/python benchmarks/bench_importance.py
	$(BIN)/python benchmarks/bench_ops.py
	$(BIN)/python benchmarks/bench_engines.py
	$(BIN)/python benchmarks/bench_language.py
	$(BIN)/python benchmarks/bench_comments.py

lock:
	rm -rf .lockvenv
	$(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet --upgrade pip
	.lockvenv/bin/python -m pip install --quiet -e ".[test]"
	{ echo "# Lock file: exact versions for reproducible reruns (Python 3.11)."; \
	  echo "# Regenerate with 'make lock' after changing dependencies in pyproject.toml."; \
	  .lockvenv/bin/python -m pip freeze --exclude-editable; } > requirements.lock
	.lockvenv/bin/python -m pip install --quiet -e ".[spark]"
	{ echo "# The spark extra's pins (install after requirements.lock): pip install -r requirements-spark.lock"; \
	  echo "# Regenerate with 'make lock' (it re-resolves both files)."; \
	  .lockvenv/bin/python -m pip freeze --exclude-editable | grep -vxFf requirements.lock; } > requirements-spark.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis
