# The two set-up commands: `make run` and `make test`. Everything they need installs from here.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export MAILHUB_HOME ?= var

# The demo: loopback, unprivileged ports (production uses 587 and 25), and a stand-in mailbox
# server (`mailhub sink`) on 2526 that saves what it receives under var/sink.
RUN_ENV := MAILHUB_SMTP_HOST=127.0.0.1 MAILHUB_SUBMISSION_PORT=2587 MAILHUB_INBOUND_PORT=2525 \
	MAILHUB_SERVICE_DOMAIN=lich.khanhhoa.gov.vn MAILHUB_SMARTHOST=127.0.0.1:2526 \
	MAILHUB_TRUSTED_NETWORKS=127.0.0.1/32

.PHONY: install system-packages bytecode run test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed system-packages bytecode

# Compiled once here, so that no command compiles mailhub's modules again on every start (the
# environment may set PYTHONDONTWRITEBYTECODE; Python still reads what is compiled).
bytecode: $(BIN)/.installed
	@$(BIN)/python -m compileall -q mailhub directory policies >/dev/null

run: install
	$(RUN_ENV) $(BIN)/mailhub db upgrade
	$(RUN_ENV) $(BIN)/mailhub demo seed --officials 300
	@$(RUN_ENV) $(BIN)/python -m mailhub.demo_account
	@$(BIN)/mailhub sink --port 2526 --folder $(MAILHUB_HOME)/sink & echo $$! > $(MAILHUB_HOME)/sink.pid
	@trap 'kill $$(cat $(MAILHUB_HOME)/sink.pid) 2>/dev/null' EXIT INT TERM; $(RUN_ENV) $(BIN)/mailhub serve

# Debian packages the gate needs: Tesseract with its Vietnamese data (scans are read by OCR) and
# poppler-utils (pdftoppm renders scanned PDF pages); DejaVu renders the policy corpus' PDFs and scans.
DEBIAN_PACKAGES := tesseract-ocr tesseract-ocr-vie poppler-utils fonts-dejavu-core
SYSTEM_STAMP := /usr/share/tesseract-ocr/5/tessdata/vie.traineddata

$(SYSTEM_STAMP):
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; \
	else echo "note: install $(DEBIAN_PACKAGES) (Debian) so the gate can read scans"; fi

system-packages: $(SYSTEM_STAMP) /usr/bin/pdftoppm /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

/usr/bin/pdftoppm /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; fi

# ical.js (Thunderbird's calendar parser) reads the invitations back in tests/mailhub/test_interop.py.
tests/interop/node_modules/.installed: tests/interop/package.json
	@if command -v npm >/dev/null; then cd tests/interop && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	else echo "note: no npm here; the ical.js interoperability tests will be skipped"; fi

test: install tests/interop/node_modules/.installed
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check mailhub directory policies tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	bash bench/run.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
