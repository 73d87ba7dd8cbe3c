"""CSV reading: every defect named by file, physical line and column; nothing dropped silently."""

import pytest

from dashboard.erreurs import ErreurFormat
from dashboard.sources.lecture import (
    convertir_codes_insee,
    convertir_nombres,
    lire_csv,
    normaliser_entete,
)


def test_bom_et_entetes_normalises():
    contenu = "\ufeffCode INSÉE ;Nom\n56121;Lorient\n".encode()
    table = lire_csv(contenu, "a.csv")
    assert list(table.frame.columns) == ["code_insee", "nom", "_ligne"]
    assert table.encodage == "UTF-8"
    assert normaliser_entete(" CODE_INSEE ") == "code_insee"


def test_cp1252_detecte_avec_avis():
    contenu = "nom;code_insee\nMédiathèque;56121\n".encode("cp1252")
    table = lire_csv(contenu, "b.csv")
    assert table.frame.loc[0, "nom"] == "Médiathèque"
    assert table.encodage == "Windows-1252"
    assert any("Windows-1252" in a for a in table.avertissements)


def test_octet_invalide_dans_fichier_utf8_nomme_la_ligne():
    lignes = ["nom;code"] + [f"Café {i};56121" for i in range(60)]
    contenu = "\n".join(lignes).encode("utf-8").replace("Café 55".encode(), b"Caf\xe9 55")
    with pytest.raises(ErreurFormat) as exc:
        lire_csv(contenu, "mixte.csv")
    assert exc.value.ligne == 57
    assert "octet 0xE9 invalide en UTF-8" in str(exc.value)


def test_lignes_physiques_avec_retour_a_la_ligne_entre_guillemets():
    contenu = b'nom,adresse,code\n"A","1 rue\nsuite",56121\n"B","2 rue",56122,extra\n'
    with pytest.raises(ErreurFormat) as exc:
        lire_csv(contenu, "c.csv")
    assert exc.value.ligne == 4
    assert "4 valeurs au lieu de 3" in str(exc.value)
    table = lire_csv(contenu, "c.csv", strict=False)
    assert table.frame["_ligne"].tolist() == [2]
    assert table.rejets == [(4, "4 valeurs au lieu de 3")]
    assert len(table.frame) + len(table.rejets) == 2  # accepted + rejected = read


def test_separateur_detecte_ou_refuse():
    assert lire_csv(b"a\tb\n1\t2\n", "t.tsv").separateur == "\t"
    with pytest.raises(ErreurFormat, match="séparateur non reconnu"):
        lire_csv(b"abc\n1\n", "x.csv")


def test_colonne_manquante_et_doublon():
    with pytest.raises(ErreurFormat) as exc:
        lire_csv(b"code;nom\n1;a\n", "m.csv", colonnes_requises=("code_insee",))
    assert exc.value.colonne == "code_insee" and exc.value.ligne == 1
    assert "colonnes trouvées : code, nom" in str(exc.value)
    with pytest.raises(ErreurFormat, match=r"colonne « nom » en double \(positions 2 et 3\)"):
        lire_csv(b"code;nom;nom\n1;a;b\n", "d.csv")


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", "fichier vide"),
        (b"code;nom\n", "aucune ligne de données"),
        (b"PK\x03\x04rest", "classeur Excel"),
        (b"<!DOCTYPE html><html>", "page HTML"),
        (b"code;nom\n56\x00121;a\n", "caractère nul"),
    ],
)
def test_fichiers_refuses(contenu, message):
    with pytest.raises(ErreurFormat, match=message):
        lire_csv(contenu, "f.csv")


def test_nombres_masques_jamais_zero_et_separateurs():
    contenu = "code;n\n1;1\u202f234\n2;s\n3;\n4;2\u00a0000\n5;secret\n".encode()
    table = lire_csv(contenu, "n.csv")
    valeurs = convertir_nombres(table, "n")
    assert valeurs.tolist()[0] == 1234 and valeurs.tolist()[3] == 2000
    assert valeurs.isna().tolist() == [False, True, True, False, True]


def test_nombre_invalide_nomme_ligne_et_colonne():
    table = lire_csv(b"code;n\n1;12\n2;douze\n", "n.csv")
    with pytest.raises(ErreurFormat) as exc:
        convertir_nombres(table, "n")
    assert (exc.value.fichier, exc.value.ligne, exc.value.colonne) == ("n.csv", 3, "n")
    assert "« douze »" in str(exc.value)


def test_decimal_a_virgule():
    table = lire_csv(b"code;taux\n1;87,5\n", "d.csv")
    assert convertir_nombres(table, "taux", entier=False).tolist() == [87.5]


def test_codes_insee_repares_ou_refuses():
    table = lire_csv(b"code_insee\n1001\n56121.0\n2A004\n56121\n", "c.csv", separateur=";")
    assert convertir_codes_insee(table).tolist() == ["01001", "56121", "2A004", "56121"]
    assert "2 code(s) INSEE réparé(s)" in table.avertissements[0]
    mauvais = lire_csv(b"code_insee\n56121\n2C001\n", "c.csv", separateur=";")
    with pytest.raises(ErreurFormat) as exc:
        convertir_codes_insee(mauvais)
    assert exc.value.ligne == 3 and "code INSEE invalide" in str(exc.value)
