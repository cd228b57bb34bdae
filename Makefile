# Set-up and everyday commands of the maturity portal.
#   make run   install everything, prepare the database, start the portal
#   make test  install everything and run the whole test suite
#   make benchmark  measure pages, autosave, scoring and reports

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# WeasyPrint needs Pango and HarfBuzz's subsetter, the PDF reports a CJK font
# and, for emoji typed into answers, a colour emoji font; evidence checks
# libmagic. The tests also drive Chromium, read PDFs with
# poppler, check the compose file with docker-compose and the translation
# catalogue with gettext.
RUNTIME_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	libmagic1 fonts-noto-cjk fonts-noto-color-emoji
TEST_PACKAGES := poppler-utils chromium docker-compose gettext

.PHONY: run test benchmark install system-packages lint format messages

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_framework
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(TEST_PACKAGES)"
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Runs against the local PostgreSQL and Redis unless DATABASE_URL and
# REDIS_URL say otherwise; the benchmark makes a database of its own in that
# server and drops it at the end. BENCHMARK_ARGS="--skip-large --only pages"
# and the like make a quick run.
benchmark: install
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" \
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/2}" \
	$(BIN)/python manage.py benchmark $(BENCHMARK_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; set PYTHON=python3.11 or newer."; exit 1; }
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(RUNTIME_PACKAGES)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Installs PACKAGES with apt-get when that is possible without a password,
# and otherwise says which to install.
system-packages:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		missing=$$(for p in $(PACKAGES); do \
			dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
		if [ -n "$$missing" ]; then \
			echo "Installing system packages:" $$missing; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq $$missing >/dev/null; } || \
				echo "Warning: could not install $$missing; some features and tests need them."; \
		fi; \
	elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGES) >/dev/null; \
	else \
		echo "Note: install these system packages with your package manager:"; \
		echo "  $(PACKAGES)"; \
		echo "(on macOS: brew install pango harfbuzz libmagic poppler and a CJK font)."; \
	fi

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
