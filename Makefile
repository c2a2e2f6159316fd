# The two commands of the README: `make run` and `make test`. Everything else here serves them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= tracker.settings.dev

.PHONY: run test lint bench superuser messages translations clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

# Compiled catalogues are built, not committed; Babel compiles them without GNU gettext.
messages: $(VENV)/.installed
	@$(BIN)/pybabel -q compile --directory locale --domain django

run: $(VENV)/.installed messages
	$(BIN)/python manage.py migrate --no-input -v 0
	@echo ""
	@echo "  Parcel tracker: http://127.0.0.1:$(PORT)/"
	@echo "  Mail is printed here and kept as .eml files in var/mail/"
	@echo "  Admin account: make superuser    Stop everything: Ctrl-C"
	@echo ""
	WEB_PORT=$(PORT) $(BIN)/honcho --procfile Procfile start

superuser: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py createsuperuser

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint messages
	DJANGO_SETTINGS_MODULE=tracker.settings.test $(BIN)/pytest

# The four benchmarks; each prints its figures and ends with a RESULT line. PostgreSQL is used
# where a benchmark wants it and DATABASE_URL answers (make bench DATABASE_URL=postgres://…).
bench: $(VENV)/.installed-dev messages
	cd bench && ../$(BIN)/python -W ignore poll_cycle.py --parcels 2000
	cd bench && ../$(BIN)/python -W ignore dashboard.py
	cd bench && ../$(BIN)/python -W ignore dispatch.py
	cd bench && ../$(BIN)/python -W ignore alert_latency.py

# For developers: refresh the Russian catalogue from the source (needs GNU gettext's xgettext).
translations: $(VENV)/.installed
	$(BIN)/python manage.py makemessages --locale ru --no-obsolete --ignore '.venv/*' --ignore 'var/*'

clean:
	rm -rf $(VENV) var
