# Two commands do all set-up on a fresh machine:  make run  |  make test
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)
HOST   ?=
PORT   ?=

.PHONY: install browser run index test reliability bench clean

# Installs skip byte-compiling ~21,000 files (most of a fresh install's time); Python
# compiles what is actually imported, once, provided it may write .pyc files.
unexport PYTHONDONTWRITEBYTECODE

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	# torch first and pinned: an unpinned torch pulls GBs of CUDA packages
	$(PY) -m pip install -q --no-compile torch==2.13.0
	$(PY) -m pip install -q --no-compile -r requirements.lock
	$(PY) -m pip install -q --no-compile --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

index: install
	$(VENV)/bin/assistant index

# the browser tests drive Debian's Chromium (Playwright cannot download a browser here)
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: index
	$(PY) app.py $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: install browser
	$(PY) -m pytest -q --durations=25 $(PYTEST_ARGS)

# the reliability checks alone (load, faults, fuzzing, hostile input) and the table of their figures (docs/reliability.md)
reliability: install browser
	$(PY) -m pytest -q -m reliability $(PYTEST_ARGS)
	$(PY) bench/reliability.py

clean:
	rm -rf .assistant-data

# this project beside the stock LangChain pipeline on ../shared/eval/squad-dev: writes BENCHMARKS.md
# (about an hour on 2 cores with the 100x corpus; BENCH_ARGS="--scales 10" for a shorter run)
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)
