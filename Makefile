# The two commands a newcomer needs: `make demo` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
export ICM_BASE_URL ?= http://localhost:$(PORT)

.PHONY: install demo test test-fast run lint mutate bench migrate browser clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,sandbox]'
	touch $(STAMP)

# Browser and Forge tests use Debian's Chromium and Node.js; Playwright never downloads a browser.
browser:
	@scripts/ensure-tools

# ICM_DEMO_PLATFORM=forge make demo: the app installed as a Forge app (remote) instead of Connect.
demo: install
	$(BIN)/python scripts/demo.py --port $(PORT)

test: install browser
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

migrate: install
	$(BIN)/flask --app connector icm migrate

# The production server: granian (connector/serve.py); gunicorn -c gunicorn.conf.py is the fallback.
run: migrate
	PORT=$(PORT) ICM_WORKERS=$${ICM_WORKERS:-4} $(BIN)/python -m connector.serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Mutation testing of the rules that guard tenants, tokens and the practice (scripts/mutate.py;
# not in CI: 30-60 minutes on two cores). `scripts/mutate.py --report` reprints the last score.
mutate: install
	$(BIN)/python scripts/mutate.py

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) instance tests/output
