"""The table of cases (``docs/cas-fiabilite.md``) is complete and points at real tests.

Every case of the reliability plan — BI-01…BI-32 (§6.1), F-01…F-18 (§6.2), S-01…S-13
(§6.3) — has at least one row; every row names at least one test or says « non
applicable » / « non couvert » with its reason; and every ``tests/…py::name`` cited is a
test function that exists (found with ``ast``, so a renamed or deleted test breaks this).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import RACINE

TABLE = RACINE / "docs" / "cas-fiabilite.md"
CITATION = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
CAS_DU_PLAN = ([f"BI-{n:02d}" for n in range(1, 33)] + [f"F-{n:02d}" for n in range(1, 19)]
               + [f"S-{n:02d}" for n in range(1, 14)])


def lignes_du_tableau() -> list[list[str]]:
    """Cells of every data row of every table of the document (header and rule excluded)."""
    lignes = []
    for texte in TABLE.read_text(encoding="utf-8").splitlines():
        if not texte.startswith("| ") or texte.startswith(("| cas ", "|---")):
            continue
        lignes.append([c.strip() for c in re.split(r"(?<!\\)\|", texte.strip())[1:-1]])
    return lignes


@cache
def fonctions_de_test(fichier: str) -> frozenset[str]:
    arbre = ast.parse((RACINE / fichier).read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(arbre)
                     if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test"))


def test_chaque_ligne_a_quatre_colonnes_et_un_test_ou_une_raison():
    lignes = lignes_du_tableau()
    assert len(lignes) >= len(CAS_DU_PLAN)
    for cellules in lignes:
        assert len(cellules) == 4, cellules
        cas, _, attendu, test = cellules
        assert cas and attendu, cellules
        assert CITATION.search(test) or "non applicable" in attendu or "non couvert" in attendu, cellules


@pytest.mark.parametrize("cas", CAS_DU_PLAN)
def test_chaque_cas_du_plan_a_une_ligne(cas):
    premieres = [cellules[0] for cellules in lignes_du_tableau()]
    assert any(re.search(rf"(?<![\w-]){cas}(?!\d)", p) for p in premieres), f"{cas} absent de {TABLE.name}"


def test_chaque_test_cite_existe():
    citations = CITATION.findall(TABLE.read_text(encoding="utf-8"))
    assert len(citations) > 100
    manquants = [f"{fichier}::{nom}" for fichier, nom in citations
                 if not (RACINE / fichier).is_file() or nom not in fonctions_de_test(fichier)]
    assert manquants == []


def test_la_verification_detecte_un_test_absent(tmp_path):
    """The check itself can fail: a made-up name is not found."""
    assert "test_qui_n_existe_pas" not in fonctions_de_test("tests/test_pannes.py")
    assert "test_f11_deux_actualisations_simultanees_lecteurs_coherents" in fonctions_de_test("tests/test_pannes.py")


def test_le_readme_renvoie_a_la_table():
    readme = (RACINE / "README.md").read_text(encoding="utf-8")
    assert "docs/cas-fiabilite.md" in readme
    assert Path(TABLE).is_file()
