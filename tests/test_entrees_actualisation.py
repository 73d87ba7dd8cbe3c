"""Bad inputs of plan §6.1 arriving by REFRESH (a download), not by upload.

The test source (``tests/source_factice.py``, ``code_insee;valeur;date``) is refreshed from
the local fixture server with one defective file per case. Each refused file must give
(a) one French message naming the file, the physical line and, when it is about one
column, the column; (c) the current edition unchanged, byte for byte (sha256 of every file
of the store, ``current.json`` included); and the failure noted in ``etat.json``. Accepted
files with a tolerated defect are read exactly (masked values never 0, separators of
thousands, codes that lost their zero), with a warning when something was repaired.
"""

from __future__ import annotations

import functools

import pytest

from dashboard.actualisation import actualiser, importer_octets
from dashboard.erreurs import ErreurDonnees
from dashboard.integrite import sha256_fichier
from dashboard.magasin import Magasin
from dashboard.sources.base import Fichier
from dashboard.telechargement import telecharger
from tests.serveur_local import HOTES_TEST, ServeurLocal, repondre
from tests.source_factice import SourceFactice, csv_factice

ENTETE = "code_insee;valeur;date\n"
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def serveur():
    with ServeurLocal() as s:
        yield s


@pytest.fixture
def magasin(tmp_path, contexte) -> Magasin:
    m = Magasin(tmp_path / "snapshots")
    importer_octets(SourceFactice(), m, contexte, {"valeurs.csv": csv_factice("2026-03-31")})
    return m


def empreintes(magasin: Magasin) -> dict[str, str]:
    dossier = magasin.dossier("factice")
    return {p.relative_to(dossier).as_posix(): sha256_fichier(p)
            for p in sorted(dossier.rglob("*")) if p.is_file() and p.name not in ("etat.json", ".lock")}


def actualiser_depuis(serveur, magasin, contexte, contenu: bytes) -> dict:
    url = serveur.route("/valeurs.csv", repondre(200, contenu, CSV))
    source = SourceFactice()
    source.fichiers = (Fichier("valeurs.csv", url),)
    return actualiser(source, magasin, contexte,
                      telecharger=functools.partial(telecharger, hotes=HOTES_TEST, tentatives=1))


REFUS = [
    pytest.param(ENTETE.replace("date", "date;commentaire").encode()
                 + "56121;10;2026-06-30;Café\n56122;11;2026-06-30;Thé\n56123;12;2026-06-30;Crème\n".encode()
                 + b"56124;13;2026-06-30;Caf\xe9\n", 5, None, "octet 0xE9 invalide en UTF-8", id="BI-04"),
    pytest.param(ENTETE.encode(), 2, None, "aucune ligne de données (en-tête seul)", id="BI-11"),
    pytest.param((ENTETE + "56121;10;2026-06-30\n56122;11;2026-06-30;x\n56123;12;2026-06-30\n").encode(),
                 3, None, "4 valeurs au lieu de 3", id="BI-12"),
    pytest.param((ENTETE + '56121;10;2026-06-30\n56122;"11;2026-06-30\n56123;12;2026-06-30\n').encode(),
                 3, None, "2 valeurs au lieu de 3", id="BI-13"),
    pytest.param(b"code_insee;valeur;valeur;date\n56121;1;2;2026-06-30\n", 1, "valeur",
                 "colonne « valeur » en double (positions 2 et 3)", id="BI-15"),
    pytest.param(b"INSEE_COM;valeur;date\n56121;1;2026-06-30\n", 1, "code_insee",
                 "colonne attendue « code_insee » absente ; colonnes trouvées : insee_com, valeur, date", id="BI-16"),
    pytest.param((ENTETE + "56121;87 %;2026-06-30\n").encode(), 2, "valeur", "nombre invalide : « 87 % »",
                 id="BI-09"),
    pytest.param((ENTETE + "56121;10;2026-06-30\n2C001;11;2026-06-30\n").encode(), 3, "code_insee",
                 "code INSEE invalide : « 2C001 »", id="BI-22"),
    pytest.param((ENTETE + "56121;10;2026-06-30\n56122;1\x001;2026-06-30\n").encode(), 3, None,
                 "caractère nul (octet 0x00)", id="BI-31"),
    pytest.param(b"PK\x03\x04" + b"\x00" * 40, None, None, "le fichier est en réalité un classeur Excel",
                 id="BI-32"),
]


@pytest.mark.parametrize(("contenu", "ligne", "colonne", "message"), REFUS)
def test_entree_refusee_position_en_francais_et_edition_intacte(serveur, magasin, contexte, contenu, ligne,
                                                                colonne, message):
    avant = empreintes(magasin)
    with pytest.raises(ErreurDonnees) as exc:
        actualiser_depuis(serveur, magasin, contexte, contenu)
    erreur = exc.value
    assert (erreur.fichier, erreur.ligne, erreur.colonne) == ("valeurs.csv", ligne, colonne)
    assert message in str(erreur)
    assert str(erreur).startswith("fichier « valeurs.csv »")
    assert empreintes(magasin) == avant
    assert magasin.charger("factice").frame["valeur"].tolist() == [10, 11, 12]
    assert magasin.etat_actualisation("factice")["derniere_erreur"] == str(erreur)


def test_bi03_texte_mal_encode_garde_et_signale(serveur, magasin, contexte):
    contenu = (ENTETE.replace("date", "date;nom") + "56121;10;2026-06-30;ok\n56122;11;2026-06-30;ClÃ©menciat\n"
               "56123;12;2026-06-30;ok\n").encode()
    manifeste = actualiser_depuis(serveur, magasin, contexte, contenu)
    assert manifeste["avertissements"] == ["valeurs.csv, ligne 3 : texte mal encodé probable (« Ã© » pour « é »)"]
    assert magasin.charger("factice").frame["valeur"].tolist() == [10, 11, 12]  # row kept


def test_bi08_separateurs_de_milliers(serveur, magasin, contexte):
    contenu = (ENTETE + "56121;1\u202f234;2026-06-30\n56122;2\u00a0000;2026-06-30\n"
               "56123;3 001;2026-06-30\n").encode()
    actualiser_depuis(serveur, magasin, contexte, contenu)
    assert magasin.charger("factice").frame["valeur"].tolist() == [1234, 2000, 3001]


def test_bi30_valeurs_masquees_jamais_zero(serveur, magasin, contexte):
    contenu = (ENTETE + "56121;s;2026-06-30\n56122;secret;2026-06-30\n56123;;2026-06-30\n"
               "56124;0;2026-06-30\n").encode()
    manifeste = actualiser_depuis(serveur, magasin, contexte, contenu)
    valeurs = magasin.charger("factice").frame["valeur"]
    assert valeurs.isna().tolist() == [True, True, True, False]
    assert valeurs.iloc[3] == 0  # a real zero stays a zero
    assert manifeste["lignes"] == manifeste["lignes_lues"] == 4  # nothing dropped


def test_bi21_code_numerique_repare_avec_avertissement(serveur, magasin, contexte):
    contenu = (ENTETE + "56121.0;10;2026-06-30\n56122;11;2026-06-30\n56123;12;2026-06-30\n").encode()
    manifeste = actualiser_depuis(serveur, magasin, contexte, contenu)
    assert magasin.charger("factice").frame["code_insee"].tolist() == ["56121", "56122", "56123"]
    assert manifeste["avertissements"] == [
        "valeurs.csv, colonne code_insee : 1 code(s) INSEE réparé(s) (zéro initial perdu ou format numérique), "
        "lignes 2"]
