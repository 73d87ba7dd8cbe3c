"""S-13: the dependency gate's decisions, on fabricated pip-audit JSON reports.

pip-audit itself needs the PyPI vulnerability API, which is not reachable from the tests;
``scripts/audit_dependances.py`` is given the reports instead (``main(executer=…)``).
"""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest

from tests.conftest import RACINE

SPEC = importlib.util.spec_from_file_location("audit_dependances", RACINE / "scripts" / "audit_dependances.py")
audit = importlib.util.module_from_spec(SPEC)
sys.modules[SPEC.name] = audit  # dataclasses look their module up there
SPEC.loader.exec_module(audit)

AVERTISSEMENT = "audit des dépendances non réalisé : service de vulnérabilités injoignable"


def paquet(nom: str, version: str, *vulns: dict) -> dict:
    return {"name": nom, "version": version, "vulns": list(vulns)}


def saute(nom: str, version: str = "1.0") -> dict:
    return {"name": nom, "skip_reason": f"Dependency not found on PyPI and could not be audited: {nom} ({version})"}


VULN = {"id": "PYSEC-2099-1", "fix_versions": ["2.35.0"], "aliases": ["CVE-2099-0001"], "description": "…"}
SAINS = [paquet("pandas", "3.1.1"), paquet("streamlit", "1.67.0"), paquet("requests", "2.34.2")]


def executer_avec(rapport: dict | None, erreurs: str = ""):
    return lambda: (rapport, erreurs)


def test_vulnerabilite_trouvee_echec(capsys):
    rapport = {"dependencies": [*SAINS, paquet("urllib3", "2.9.0", VULN), saute("dashboard")], "fixes": []}
    assert audit.main(executer_avec(rapport)) == 1
    erreur = capsys.readouterr().err
    assert "ÉCHEC : 1 vulnérabilité(s) connue(s)" in erreur
    assert "  - urllib3 2.9.0 : PYSEC-2099-1 (CVE-2099-0001) — corrigé dans : 2.35.0" in erreur


def test_vulnerabilite_trouvee_meme_si_la_plupart_sont_sautes():
    """A reported vulnerability always fails, even in an otherwise unaudited environment."""
    rapport = {"dependencies": [paquet("urllib3", "2.9.0", VULN), *(saute(f"p{i}") for i in range(20))]}
    code, _ = audit.decider(audit.analyser(rapport))
    assert code == 1


def test_vulnerabilite_sans_correctif_publie():
    bilan = audit.analyser({"dependencies": [paquet("x", "1", {"id": "GHSA-1", "fix_versions": []})]})
    assert bilan.vulnerabilites == ["x 1 : GHSA-1 — corrigé dans : aucune version corrigée publiée"]


def test_tous_verifies_sans_vulnerabilite(capsys):
    assert audit.main(executer_avec({"dependencies": SAINS, "fixes": []})) == 0
    sortie = capsys.readouterr()
    assert sortie.out == "Audit des dépendances : aucune vulnérabilité connue (3 paquets vérifiés).\n"
    assert AVERTISSEMENT not in sortie.err


def test_quelques_paquets_locaux_sautes_audit_valable():
    code, lignes = audit.decider(audit.analyser({"dependencies": [*SAINS, saute("dashboard", "0.1.0")]}))
    assert code == 0
    assert lignes == ["Audit des dépendances : aucune vulnérabilité connue (3 paquets vérifiés).",
                      "  non vérifiés (absents de PyPI, par exemple le projet lui-même) : dashboard"]


def test_la_plupart_sautes_avertissement_et_zero(capsys):
    """The case of this machine's package mirror: every package « not found on PyPI »."""
    rapport = {"dependencies": [paquet("pandas", "3.1.1"), *(saute(f"p{i}") for i in range(94))], "fixes": []}
    assert audit.main(executer_avec(rapport)) == 0
    erreur = capsys.readouterr().err
    assert (f"ATTENTION : {AVERTISSEMENT} (94 paquets non vérifiés). Ce n'est pas un audit réussi : "
            "1 paquet(s) vérifié(s) sur 95 ; relancez-le avec un accès à PyPI.") in erreur
    assert "aucune vulnérabilité connue" not in erreur


@pytest.mark.parametrize(("sautes", "avertit"), [(1, False), (2, False), (3, True)])
def test_seuil_de_la_moitie(sautes, avertit):
    rapport = {"dependencies": [paquet("a", "1"), paquet("b", "1"), *(saute(f"s{i}") for i in range(sautes))]}
    _, lignes = audit.decider(audit.analyser(rapport))
    assert (AVERTISSEMENT in lignes[0]) is avertit


def test_rapport_vide_n_est_pas_un_succes():
    code, lignes = audit.decider(audit.analyser({"dependencies": []}))
    assert code == 0 and AVERTISSEMENT in lignes[0]


def test_pip_audit_sans_rapport_avertissement(capsys, monkeypatch):
    monkeypatch.setattr(audit, "nombre_installes", lambda: 87)
    assert audit.main(executer_avec(None, "ConnectionError: HTTPSConnectionPool(host='pypi.org')\n")) == 0
    erreur = capsys.readouterr().err
    assert f"ATTENTION : {AVERTISSEMENT} (87 paquets non vérifiés)." in erreur
    assert "(pip-audit : ConnectionError: HTTPSConnectionPool(host='pypi.org'))" in erreur


def test_pip_audit_epingle_et_lance_avant_pytest():
    assert "pip-audit==2.10.1" in (RACINE / "requirements-test.txt").read_text(encoding="utf-8").splitlines()
    makefile = (RACINE / "Makefile").read_text(encoding="utf-8")
    recette = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE).group(1).splitlines()
    assert recette == ["\t$(PY) scripts/audit_dependances.py", "\t$(PY) -m pytest"]
