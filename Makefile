# The two set-up commands: `make run` and `make test`. Everything they need installs from here.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export MAILHUB_HOME ?= var

# Loopback, unprivileged ports for the demo (production uses 587 and 25).
RUN_ENV := MAILHUB_SMTP_HOST=127.0.0.1 MAILHUB_SUBMISSION_PORT=2587 MAILHUB_INBOUND_PORT=2525 \
	MAILHUB_SERVICE_DOMAIN=lich.khanhhoa.gov.vn

.PHONY: install run test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(RUN_ENV) $(BIN)/mailhub db upgrade
	$(RUN_ENV) $(BIN)/mailhub demo seed --officials 300
	@$(RUN_ENV) $(BIN)/python -m mailhub.demo_account
	$(RUN_ENV) exec $(BIN)/mailhub serve

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check mailhub directory policies tests
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
