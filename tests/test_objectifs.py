"""Coverage targets kept as data (``data/objectifs_couverture.toml``) and their loader."""

from __future__ import annotations

import pytest

from dashboard.erreurs import ErreurConfiguration
from dashboard.objectifs import Objectif, charger_objectifs
from tests.conftest import RACINE

BLOC = """[[objectif]]
identifiant = "fibre_2026"
libelle = "Fibre pour tous"
programme = "Programme test"
source_donnees = "arcep_ftth"
indicateur = "taux_ftth"
cible = 1.0
echeance = 2026-12-31
perimetre = "Bretagne"
source_titre = "Annonce"
source_url = "https://example.org/annonce"
"""


def _charger(tmp_path, texte: str):
    chemin = tmp_path / "objectifs_couverture.toml"
    chemin.write_text(texte, encoding="utf-8")
    return charger_objectifs(chemin)


def test_fichier_du_projet():
    objectifs = charger_objectifs(RACINE / "data" / "objectifs_couverture.toml")
    assert [(o.identifiant, o.indicateur, o.source_donnees, o.cible, o.echeance, o.seuil_debit_mbit_s)
            for o in objectifs] == [
        ("bon_haut_debit_2020", "elig_bhd8", "arcep_mci", 1.0, "2020-12-31", 8.0),
        ("tres_haut_debit_2022", "elig_thd30", "arcep_mci", 1.0, "2022-12-31", 30.0),
        ("fibre_generalisee_2025", "taux_ftth", "arcep_ftth", 1.0, "2025-12-31", None),
        ("bretagne_tres_haut_debit_2026", "taux_ftth", "arcep_ftth", 1.0, "2026-12-31", None),
    ]
    assert all(o.source_url.startswith(("http://", "https://")) and o.source_titre for o in objectifs)
    assert objectifs[0].programme == "Plan France Très Haut Débit"
    assert objectifs[3].programme == "Bretagne Très Haut Débit (Mégalis Bretagne, Région Bretagne)"


def test_bloc_minimal(tmp_path):
    assert _charger(tmp_path, BLOC) == (Objectif(
        identifiant="fibre_2026", libelle="Fibre pour tous", programme="Programme test",
        source_donnees="arcep_ftth", indicateur="taux_ftth", cible=1.0, echeance="2026-12-31",
        perimetre="Bretagne", source_titre="Annonce", source_url="https://example.org/annonce",
    ),)


def test_echeance_en_texte_iso_acceptee(tmp_path):
    texte = BLOC.replace("echeance = 2026-12-31", 'echeance = "2026-12-31"')
    assert _charger(tmp_path, texte)[0].echeance == "2026-12-31"


@pytest.mark.parametrize(
    ("avant", "apres", "message", "ligne", "cle"),
    [
        ("cible = 1.0", "cible = 100", "objectif n°2 : cible « 100 » invalide", 19, "cible"),
        ("cible = 1.0", 'cible = "100 %"', "objectif n°2 : cible « 100 % » invalide", 19, "cible"),
        ("echeance = 2026-12-31", 'echeance = "fin 2026"', "objectif n°2 : échéance absente ou invalide", 20,
         "echeance"),
        ('source_url = "https://example.org/annonce"', 'source_url = "example.org"',
         "objectif n°2 : adresse de la source invalide (http:// ou https:// attendu)", 23, "source_url"),
        ('libelle = "Fibre pour tous"', 'libele = "Fibre pour tous"', "objectif n°2 : clé inconnue « libele »",
         15, "libele"),
        ('identifiant = "fibre_2026"', 'identifiant = "Fibre 2026"',
         "objectif n°2 : identifiant « Fibre 2026 » invalide", 14, "identifiant"),
    ],
)
def test_erreurs_nomment_fichier_ligne_et_cle(tmp_path, avant, apres, message, ligne, cle):
    second = BLOC.replace(avant, apres).replace('"fibre_2026"', '"fibre_2027"')
    with pytest.raises(ErreurConfiguration) as exc:
        _charger(tmp_path, BLOC + "\n" + second)
    assert (exc.value.message, exc.value.fichier, exc.value.ligne, exc.value.colonne) == (
        message, "objectifs_couverture.toml", ligne, cle)


def test_cle_obligatoire_absente(tmp_path):
    texte = BLOC.replace('perimetre = "Bretagne"\n', "")
    with pytest.raises(ErreurConfiguration) as exc:
        _charger(tmp_path, texte)
    assert (exc.value.message, exc.value.ligne, exc.value.colonne) == (
        "objectif n°1 : la clé « perimetre » est absente ou vide", 1, "perimetre")


def test_identifiant_en_double(tmp_path):
    with pytest.raises(ErreurConfiguration) as exc:
        _charger(tmp_path, BLOC + "\n" + BLOC)
    assert (exc.value.message, exc.value.ligne) == (
        "objectif n°2 : identifiant « fibre_2026 » en double (déjà l'objectif n°1)", 14)


def test_syntaxe_toml_invalide(tmp_path):
    with pytest.raises(ErreurConfiguration) as exc:
        _charger(tmp_path, BLOC + 'note = "non fermée\n')
    assert exc.value.ligne == 12
    assert exc.value.message.startswith("syntaxe TOML invalide")


def test_fichier_absent(tmp_path):
    with pytest.raises(ErreurConfiguration, match="introuvable"):
        charger_objectifs(tmp_path / "absent.toml")


def test_aucun_objectif(tmp_path):
    with pytest.raises(ErreurConfiguration, match="aucun objectif déclaré"):
        _charger(tmp_path, "# vide\n")
