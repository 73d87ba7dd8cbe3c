"""The PDF report of a commune, assembled from the committed snapshot: names, figures, sources."""

import io

import pytest
from pypdf import PdfReader

from dashboard.exports.rapport_pdf import rapport_pdf
from dashboard.indicateurs import lieux as L
from dashboard.indicateurs import synthese_inclusion as si
from dashboard.indicateurs.fiche import DonneesFiche
from dashboard.magasin import Magasin
from dashboard.vues.fiche import formater
from dashboard.vues.provenance import combiner, provenance_instantane, provenance_reference
from dashboard.vues.rapport import contenu_rapport
from tests.conftest import RACINE


@pytest.fixture(scope="module")
def donnees(reference):
    m = Magasin(RACINE / "data" / "snapshots")
    ids = ("arcep_mci", "arcep_ftth", "insee_communes", "france_services", "mediation_numerique", "tiers_lieux_cget")
    cadres = {s: m.charger(s).frame for s in ids}
    sources = {s: provenance_instantane(m.charger(s).manifeste) for s in ids}
    sources["reference"] = provenance_reference(reference.manifeste)
    sources["lieux"] = combiner("lieux", "Lieux d'aide numérique",
                                [sources["france_services"], sources["mediation_numerique"]])
    aide = L.filtrer_lieux(L.lieux_unifies(cadres["france_services"], cadres["tiers_lieux_cget"],
                                           cadres["mediation_numerique"]).lieux,
                           categories=[L.FRANCE_SERVICES, L.MEDIATION])
    d = DonneesFiche(reference.communes, reference.comparaisons, cadres["arcep_mci"], cadres["arcep_ftth"],
                     cadres["insee_communes"], si.tableau_fragilite(cadres["insee_communes"], cadres["arcep_mci"]),
                     aide, si.eloignement_par_commune(reference.communes, aide, cadres["insee_communes"],
                                                      si.SEUILS["5km"]))
    return d, sources


def texte_pdf(octets: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(octets)).pages)


def test_rapport_commune_contient_noms_chiffres_et_sources(donnees, reference):
    d, sources = donnees
    tous = list(reference.communes["code_insee"])
    contenu = contenu_rapport(d, sources, {"Sainte-Hélène": ["56220"], "Pays de Lorient": tous},
                              {"Morbihan": ("departement", "56")}, "Sainte-Hélène", "Fiche commune — Sainte-Hélène")
    texte = texte_pdf(rapport_pdf(contenu))
    assert "Sainte-Hélène" in texte and "Pays de Lorient" in texte
    population = formater(reference.communes.set_index("code_insee").loc["56220", "population"], "habitants")
    assert population in texte  # e.g. « 1 247 » with its narrow no-break space
    for attendu in ("Constats", "Préconisations", "Sources, éditions et licences", "Licence Ouverte 2.0",
                    "DONNÉES DE DÉMONSTRATION", "inspiré de l'indice de fragilité numérique"):
        assert attendu in texte, attendu
    assert len(contenu.images) == 3  # white zones, fragility, fibre series
