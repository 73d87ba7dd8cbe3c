from pathlib import Path

import pytest

from dashboard.erreurs import ErreurConfiguration
from dashboard.territoire import charger_territoire, perimetres, resoudre_perimetre

VALIDE = """
[territoire]
nom = "Test"
identifiant = "test"
departement = "56"
nom_departement = "Morbihan"
region = "53"
nom_region = "Bretagne"

[[epci]]
siren = "200042174"
nom = "Lorient Agglomération"
communes_attendues = 25
"""


def ecrire(tmp_path: Path, texte: str) -> Path:
    chemin = tmp_path / "territoire.toml"
    chemin.write_text(texte, encoding="utf-8")
    return chemin


def test_configuration_du_projet(territoire):
    assert territoire.nom == "Pays de Lorient"
    assert territoire.sirens == ("200042174", "245600440")
    assert [e.communes_attendues for e in territoire.epci] == [25, 5]
    assert [c.nom for c in territoire.comparaisons] == ["Quimperlé Communauté"]


def test_siren_invalide(tmp_path):
    chemin = ecrire(tmp_path, VALIDE.replace('"200042174"', '"20004217"'))
    with pytest.raises(ErreurConfiguration) as exc:
        charger_territoire(chemin)
    assert "SIREN « 20004217 » invalide" in str(exc.value)
    assert exc.value.fichier == "territoire.toml"
    assert exc.value.colonne == "siren"


def test_syntaxe_toml_invalide_nomme_la_ligne(tmp_path):
    chemin = ecrire(tmp_path, VALIDE + "\n[[epci]\nsiren = 1\n")
    with pytest.raises(ErreurConfiguration) as exc:
        charger_territoire(chemin)
    assert exc.value.ligne == VALIDE.count("\n") + 2
    assert "syntaxe TOML invalide" in str(exc.value)


def test_fichier_absent(tmp_path):
    with pytest.raises(ErreurConfiguration, match="introuvable"):
        charger_territoire(tmp_path / "absent.toml")


def test_aucun_epci(tmp_path):
    texte = VALIDE.split("[[epci]]")[0]
    with pytest.raises(ErreurConfiguration, match="aucun EPCI"):
        charger_territoire(ecrire(tmp_path, texte))


def test_perimetres_et_resolution(territoire):
    liste = perimetres(territoire, [("56121", "Lorient"), ("56021", "Brandérion"), ("56094", "Kervignac")])
    assert [p.parametre for p in liste] == ["pays", "200042174", "245600440", "56021", "56094", "56121"]
    assert resoudre_perimetre(None, liste).niveau == "pays"
    assert resoudre_perimetre("245600440", liste).libelle == "Blavet Bellevue Océan"
    assert resoudre_perimetre("56121", liste).niveau == "commune"
    with pytest.raises(ErreurConfiguration) as exc:
        resoudre_perimetre("<script>", liste)
    assert "périmètre « <script> » inconnu" in str(exc.value)
