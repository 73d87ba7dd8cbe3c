"""The Priorités page's synthesis on the committed snapshot (real pipeline, exact invariants)."""

import pytest

from dashboard.indicateurs import synthese_priorites as sp
from dashboard.indicateurs.synthese_inclusion import SEUILS
from dashboard.magasin import Magasin
from dashboard.vues.priorites import phrase_priorites, tableau_sites
from tests.conftest import RACINE


@pytest.fixture(scope="module")
def contexte_prio(reference):
    m = Magasin(RACINE / "data" / "snapshots")
    cadre = {s: m.charger(s).frame for s in ("arcep_mci", "insee_communes", "france_services",
                                             "tiers_lieux_cget", "mediation_numerique")}
    return sp.preparer(reference.communes, cadre["arcep_mci"], cadre["insee_communes"], cadre["france_services"],
                       cadre["tiers_lieux_cget"], cadre["mediation_numerique"])


def test_tableau_complet_et_contributions(contexte_prio, reference):
    t = sp.tableau_priorites(contexte_prio, SEUILS["15min_marche"], {"zones_blanches": 1, "fragilite": 1,
                                                                    "eloignement": 1})
    assert sorted(t["code_insee"]) == sorted(reference.communes["code_insee"])
    assert sorted(t["rang"].dropna().astype(int)) == list(range(1, 31))
    somme = t[[c for c in t.columns if c.startswith("contribution_")]].sum(axis=1)
    assert (somme - t["priorite"]).abs().max() < 1e-9
    noms = reference.communes.set_index("code_insee")["nom"]
    phrase = phrase_priorites(t, noms, list(t["code_insee"]), "du Pays de Lorient")
    premier = noms[t.sort_values("rang")["code_insee"].iloc[0]]
    assert phrase.startswith(f"Les communes prioritaires du Pays de Lorient sont, dans l'ordre : {premier} (")


def test_meilleurs_sites_cumul(contexte_prio, reference):
    sites = sp.meilleurs_sites(contexte_prio, SEUILS["15min_marche"], 3)
    assert list(sites["rang"]) == [1, 2, 3]
    assert (sites["gain_population"].diff().dropna() <= 1e-9).all()  # greedy: gains never increase
    assert sites["cumul_population"].iloc[-1] == pytest.approx(sites["gain_population"].sum())
    affiche = tableau_sites(sites, reference.communes.set_index("code_insee")["nom"])
    assert list(affiche.columns)[:3] == ["rang", "commune", "gain_population"]
