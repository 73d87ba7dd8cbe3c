"""F-15: first start, offline, with no snapshot for some or all sources.

The app has only what is on disk (no network is tried at start). Each page must run
without exception or error, show what it can, and say which dataset is missing and the
command that loads it (``st.info``), never a traceback.
"""

from __future__ import annotations

import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.sources import toutes_les_sources
from tests.conftest import RACINE

PAGES = sorted(p.name for p in (RACINE / "pages").glob("*.py") if p.name != "kiosque.py")
TITRES = {s.titre: identifiant for identifiant, s in toutes_les_sources().items()}
MANQUANT = re.compile(r"^Données « (?P<titre>.+) » non chargées : la partie correspondante de la page est masquée\. "
                      r"Chargez-les avec `python -m dashboard refresh (?P<id>\w+)` \(Internet\) ou "
                      r"`python -m dashboard import (?P=id) FICHIER…`\.$")


def copie_sans(tmp_path, monkeypatch, *sources: str) -> None:
    """Point the app at a copy of ``data/`` without the snapshots of ``sources`` (all if none)."""
    copie = tmp_path / "data"
    shutil.copytree(RACINE / "data", copie)
    for dossier in (copie / "snapshots").iterdir():
        if not sources or dossier.name in sources:
            shutil.rmtree(dossier)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(copie))


def lancer(page: str) -> AppTest:
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(f"pages/{page}")
    at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_f15_aucun_instantane_chaque_page_dit_ce_qui_manque(page, tmp_path, monkeypatch):
    copie_sans(tmp_path, monkeypatch)
    at = lancer(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title, "la page s'affiche avec son titre"
    manquants = [MANQUANT.match(i.value) for i in at.info if "non chargées" in i.value]
    assert all(manquants), [i.value for i in at.info]
    for trouve in manquants:
        assert TITRES[trouve["titre"]] == trouve["id"]
    if page != "vue_ensemble.py":  # the overview uses only the reference geography
        assert manquants, f"{page} utilise des sources mais ne dit pas qu'elles manquent"


def test_f15_une_source_manquante_le_reste_de_la_page_s_affiche(tmp_path, monkeypatch):
    copie_sans(tmp_path, monkeypatch, "mediation_numerique")
    at = lancer("lieux.py")
    assert not at.exception and not at.error
    infos = [i.value for i in at.info]
    assert len(infos) == 1 and MANQUANT.match(infos[0])["id"] == "mediation_numerique"
    metriques = {m.label: m.value for m in at.metric}
    assert int(metriques["Lieux"]) > 0  # France services and tiers-lieux still counted
    pied = " ".join(c.value for c in at.caption)
    assert "Liste des structures France services" in pied and "médiation" not in pied
