# Set-up and everyday commands of the maturity portal.
#   make run   install everything, prepare the database, start the portal
#   make test  install everything and run the whole test suite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	libmagic1 fonts-noto-cjk poppler-utils chromium gettext

.PHONY: run test install system-packages benchmark lint format messages

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_framework
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; set PYTHON=python3.11 or newer."; exit 1; }
	@$(MAKE) --no-print-directory system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# WeasyPrint needs Pango and HarfBuzz's subsetter, the PDF reports a CJK font,
# evidence checks libmagic, the browser tests Chromium and PDF checks poppler.
system-packages:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		missing=$$(for p in $(SYSTEM_PACKAGES); do \
			dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
		if [ -n "$$missing" ]; then \
			echo "Installing system packages:" $$missing; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		fi; \
	elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else \
		echo "Note: install these system packages with your package manager for PDF"; \
		echo "reports with Chinese text and the browser tests: $(SYSTEM_PACKAGES)"; \
		echo "(on macOS: brew install pango harfbuzz libmagic poppler and a CJK font)."; \
	fi

benchmark: install
	$(BIN)/python manage.py benchmark

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Collects every translatable string of the project into one catalogue.
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete \
		--ignore '.venv/*' --ignore 'tests/*' --ignore '*/migrations/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'
