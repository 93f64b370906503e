# One task runner for the course. The two commands a newcomer needs:
#   make book   set everything up, generate the exercises, build the HTML book
#   make test   set everything up and run the whole test suite
# Run `make help` for the rest.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# nbgrader (and every traitlets app) must stop on a broken nbgrader_config.py
# instead of carrying on with default settings.
export TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR := 1
# nbgrader calls `alembic` and `jupyter` from PATH: use the project's environment.
export PATH := $(CURDIR)/$(BIN):$(PATH)

ASSIGNMENTS := $(notdir $(wildcard solutions/ch*))

.PHONY: help setup system-packages book exercises record student-edition lint format test test-fast test-gpu clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

system-packages:  ## install Debian's chromium (browser tests) and nodejs/npm (the hub's proxy) when missing
	@missing="$$(command -v chromium >/dev/null 2>&1 || echo chromium) $$(command -v npm >/dev/null 2>&1 || echo 'nodejs npm')"; \
	if [ -n "$$(echo $$missing)" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	  else echo "Install $$missing (Chromium on PATH as 'chromium') for the browser and hub tests."; fi; fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile -r requirements.txt
	@# Bytecode must exist ahead of time: kernels graded under other user ids cannot write it. pip
	@# compiles one file at a time; compileall uses every core. A few files that packages ship for
	@# newer Pythons do not compile, as pip also ignores: hence the leading "-".
	-$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null
	$(BIN)/pip check
	touch $@

setup: $(VENV)/.installed  ## create .venv and install the Python packages
	$(BIN)/cnn-course check-config

exercises: setup  ## regenerate exercises/ from solutions/ with nbgrader, and the book's page of common mistakes
	$(BIN)/cnn-course generate $(ASSIGNMENTS)
	$(BIN)/python -m autograder.instructors.mistakes_page

record: setup  ## write each chapter's recorded.pt (the reference results and known mistakes its visible checks need) from the solutions
	$(BIN)/cnn-course record

student-edition: setup exercises  ## write dist/student/: what students get (exercises, chapters' text, their package, its wheel, the kits)
	$(BIN)/cnn-course student-edition

book: setup exercises  ## build the HTML book strictly into _build/html (with the exercise kits)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

lint: setup  ## ruff: lint and formatting (settings in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup  ## fix what ruff can: import order, formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: setup system-packages lint  ## lint, then run the whole test suite (builds the book and grades notebooks)
	$(BIN)/pytest

test-fast: setup  ## unit tests only (no nbgrader, no book)
	$(BIN)/pytest -m "not slow"

test-gpu: setup  ## on a machine with a CUDA GPU: every solution, blank, mistake and variant through the checks on the GPU, and the device tests
	$(BIN)/pytest -n 0 -rs tests/test_gpu.py tests/test_device.py

clean:  ## remove builds and local grading state (keeps .venv)
	rm -rf _build dist gradebook.db .nbgrader.log submitted autograded feedback reports artifacts

.PHONY: hub hub-setup
HUB_ROOT ?= /srv/cnn-course-hub
hub-setup: setup  ## (as root) set up the course's JupyterHub: INSTRUCTORS=a STUDENTS=b,c [CREATE_USERS=1] (book/hub.md)
	cd deploy/hub && npm ci --no-audit --no-fund --silent
	$(BIN)/python deploy/hub/hub.py --root $(HUB_ROOT) setup --instructors "$(INSTRUCTORS)" --students "$(STUDENTS)" $(if $(CREATE_USERS),--create-users)

hub: setup  ## (as root) start the course's JupyterHub on port 8000, set up first if it is not (book/hub.md)
	@test -f $(HUB_ROOT)/roster.json || $(MAKE) hub-setup
	$(BIN)/python deploy/hub/hub.py --root $(HUB_ROOT) start

.PHONY: benchmark benchmark-checks benchmark-training
benchmark: setup  ## throughput of `cnn-course grade` against sequential `nbgrader autograde` (minutes)
	$(BIN)/python benchmarks/grade_class.py

benchmark-checks: setup  ## seconds each visible check takes in a fresh kernel (the table of book/students.md)
	$(BIN)/python benchmarks/visible_checks.py

benchmark-training: setup  ## how often the training exercises' solutions fail their hidden checks, over many grading seeds (minutes)
	$(BIN)/python benchmarks/learn_kernel_convergence.py --seeds 200 --hidden 5
	$(BIN)/python benchmarks/train_digits_reliability.py --seeds 100
	$(BIN)/python benchmarks/train_own_digits_reliability.py --seeds 100
