# Observatoire du numérique inclusif du Pays de Lorient — one target per verb.
# Only Python 3.11+ and make are assumed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test install install-test bytecode data reference status bench lint kiosque clean

$(VENV)/.installe: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 ou plus est requis (trouvé %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m dashboard assets
	@touch $@

$(VENV)/.installe-test: $(VENV)/.installe requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	@touch $@

install: $(VENV)/.installe
install-test: $(VENV)/.installe-test

## make run : installe tout et lance l'application sur http://localhost:8501 (données embarquées)
run: install bytecode
	$(PY) -m dashboard.serveur --server.port $(PORT)

# Bytecode of the package, as pip writes it for an installed one (the editable install of src/
# has none, and none is written when PYTHONDONTWRITEBYTECODE is set): ~0.05 s of CPU less at each
# start. Up-to-date files are skipped.
bytecode: install
	@$(PY) -m compileall -q src

## make test : installe les dépendances de test, audite les dépendances (pip-audit ; voir SECURITY.md)
## puis lance toute la suite (navigateur compris si Chromium est là) ; le résumé de pytest reste la dernière ligne
test: install-test
	$(PY) scripts/audit_dependances.py
	$(PY) -m pytest

## make data : actualise toutes les sources depuis leurs URL officielles (Internet requis)
data: install
	$(PY) -m dashboard refresh

## make kiosque : écran public des cafés-débats sur http://localhost:8502 (diaporama, sans widget)
kiosque: install bytecode
	DASHBOARD_KIOSQUE=1 $(PY) -m dashboard.serveur --server.port 8502 --client.toolbarMode minimal \
		--client.showErrorDetails none

reference: install
	$(PY) -m dashboard reference

status: install
	$(PY) -m dashboard status

bench: install-test bytecode
	$(PY) bench/run.py

lint: install-test
	$(VENV)/bin/ruff check src pages app.py tests bench

clean:
	rm -rf $(VENV) static/vendor test-artifacts .pytest_cache
