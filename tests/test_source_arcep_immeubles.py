"""ARCEP building files: base_imb (current and 2021 names), Cartefibre, gzip/zip/plain, streamed
pre-filter, exact 500 m grid, errors by line, and a store that keeps no raw copy."""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboard import formats
from dashboard.actualisation import actualiser, importer, importer_octets
from dashboard.demo import arcep_immeubles as demo
from dashboard.demo import generateurs
from dashboard.erreurs import ErreurFormat
from dashboard.integrite import sha256_fichier
from dashboard.magasin import Magasin, empreintes_bruts
from dashboard.sources import source
from dashboard.sources._prefiltre_csv import extraire
from dashboard.sources.arcep_immeubles import (
    SOURCE,
    SourceArcepImmeubles,
    departements,
    edition_du_nom,
    libelle,
)
from dashboard.sources.base import Contexte
from dashboard.territoire import Epci, Territoire
from tests.source_factice import SourceFactice, csv_factice

RACINE = Path(__file__).resolve().parents[1]
FIXTURES = RACINE / "tests" / "fixtures" / "arcep_immeubles"
BASE_IMB = "base_imb_56.csv"
CARTEFIBRE = "carte_fibre_immeubles_2026_T2_20260902.csv"
TERRITOIRE = Territoire(
    nom="Essai", identifiant="essai", departement="56", nom_departement="Morbihan", region="53",
    nom_region="Bretagne", emprise=(-3.75, 47.55, -2.95, 48.05), epci=(Epci("200042174", "Lorient Agglomération"),),
)
# 56162 (Ploemeur) is in the territory but in none of the fixtures
CONTEXTE = Contexte(TERRITOIRE, frozenset({"56121", "56098", "56162"}))
AIN = Territoire(nom="Ain", identifiant="ain", departement="01", nom_departement="Ain", region="84",
                 nom_region="Auvergne-Rhône-Alpes", emprise=(4.5, 45.9, 5.3, 46.4), epci=())
COLONNES = ["code_insee", "carreau", "x_centre", "y_centre", "lon", "lat", "immeubles", "locaux",
            "locaux_ftth_deploye", "date"]

# The fixtures' points were placed in Lambert-93, then written in EPSG:3857 (base_imb) or WGS84
# (Cartefibre): Lorient A (223 610, 6 758 120), B (223 990, 6 758 490), C (224 010, 6 758 120);
# Lanester D (226 100, 6 760 300), E (226 400, 6 760 450), F (223 900, 6 758 300).
# 500 m cells (lower-left corner): A, B, F → (223 500, 6 758 000); C → (224 000, 6 758 000);
# D, E → (226 000, 6 760 000). F is in Lorient's cell but belongs to Lanester: its own row.
CELLULES = [  # code, carreau, centre x, centre y, centre lon, centre lat (pyproj, 6 decimals)
    ("56098", "L93_500m_E2235N67580", 223750.0, 6758250.0, -3.36292, 47.751853),
    ("56098", "L93_500m_E2260N67600", 226250.0, 6760250.0, -3.3318, 47.771602),
    ("56121", "L93_500m_E2235N67580", 223750.0, 6758250.0, -3.36292, 47.751853),
    ("56121", "L93_500m_E2240N67580", 224250.0, 6758250.0, -3.356269, 47.752215),
]


def attendu(cellules, immeubles, locaux, deployes, date="2026-06-30") -> pd.DataFrame:
    return pd.DataFrame({
        "code_insee": pd.Series([c[0] for c in cellules], dtype="str"),
        "carreau": pd.Series([c[1] for c in cellules], dtype="str"),
        "x_centre": pd.Series([c[2] for c in cellules], dtype="Float64"),
        "y_centre": pd.Series([c[3] for c in cellules], dtype="Float64"),
        "lon": pd.Series([c[4] for c in cellules], dtype="Float64"),
        "lat": pd.Series([c[5] for c in cellules], dtype="Float64"),
        "immeubles": pd.Series(immeubles, dtype="Int64"),
        "locaux": pd.Series(locaux, dtype="Int64"),
        "locaux_ftth_deploye": pd.Series(deployes, dtype="Int64"),
        "date": pd.Series([date] * len(cellules), dtype="str"),
    })


def octets(nom: str) -> bytes:
    return (FIXTURES / nom).read_bytes()


def lire(fichiers: dict[str, bytes], contexte: Contexte = CONTEXTE, edition: str | None = "2026-06-30", **kw):
    return SourceArcepImmeubles(edition=edition, **kw).lire_et_valider(fichiers, contexte)


# --------------------------------------------------------------------------- declaration
def test_declaration():
    assert source("arcep_immeubles") is SOURCE
    assert SOURCE.garder_bruts is False
    assert [c.nom for c in SOURCE.colonnes] == COLONNES
    assert SOURCE.fichiers[0].url == ("https://data.arcep.fr/fixe/maconnexioninternet/base_imb/last/departement/"
                                      "base_imb_<département>.csv.gz")
    assert departements(frozenset({"56121", "56098", "29233", "97411", "2A004"})) == ["29", "2A", "56", "974"]


# --------------------------------------------------------------------------- base_imb
def test_base_imb_grille_exacte_et_comptes():
    resultat = lire({BASE_IMB: octets(BASE_IMB)})
    # A 1 + B 12 locaux; C 3; D 1 + E (imb_nbr_logloc empty → 1); F 2
    pd.testing.assert_frame_equal(resultat.frame, attendu(CELLULES, [1, 2, 2, 1], [2, 2, 13, 3], [pd.NA] * 4))
    assert resultat.lignes_lues == 10  # record B spans lines 4-5 (quoted newline)
    assert resultat.lignes_rejetees == [
        (BASE_IMB, 10, "coordonnées absentes"),
        (BASE_IMB, 11, "point hors de l'emprise du territoire Essai (coordonnées erronées ?)"),
    ]
    assert resultat.edition == "2026-06-30" and resultat.libelle_edition == "T2 2026"
    assert resultat.avertissements == [
        f"{BASE_IMB} (base_imb (MCI)) : 10 immeuble(s) lu(s), 8 dans les communes du territoire Essai, "
        "2 hors territoire (non retenus ; ce ne sont pas des rejets)",
        f"{BASE_IMB}, colonne imb_nbr_logloc : 1 immeuble(s) sans nombre de locaux, comptés pour 1 local (lignes 8)",
        f"{BASE_IMB} : 2 immeuble(s) du territoire non placé(s) sur la grille (1 sans coordonnées, "
        "1 hors de l'emprise) ; lignes 10, 11",
        "1 commune(s) du territoire sans aucun immeuble dans le(s) fichier(s) : 56162",
    ]


def test_ligne_d_une_autre_commune_citant_un_code_du_territoire_non_retenue():
    # line 12: imb_code_insee 56034 (outside), addr_code_insee 56121: found by the byte search, then
    # filtered on imb_code_insee — it is neither in the grid nor a reject
    resultat = lire({BASE_IMB: octets(BASE_IMB)})
    assert int(resultat.frame["immeubles"].sum()) == 6
    assert 12 not in [r[1] for r in resultat.lignes_rejetees]


def test_gzip_et_clair_et_chemin_identiques(tmp_path):
    clair = lire({BASE_IMB: octets(BASE_IMB)})
    compresse = lire({"base_imb_56.csv.gz": gzip.compress(octets(BASE_IMB))})
    chemin = tmp_path / "base_imb_56.csv.gz"
    chemin.write_bytes(gzip.compress(octets(BASE_IMB)))
    par_chemin = SourceArcepImmeubles(edition="2026-06-30").lire_et_valider_chemins({chemin.name: chemin}, CONTEXTE)
    pd.testing.assert_frame_equal(compresse.frame, clair.frame)
    pd.testing.assert_frame_equal(par_chemin.frame, clair.frame)
    assert par_chemin.lignes_rejetees == [("base_imb_56.csv.gz", 10, "coordonnées absentes"),
                                          ("base_imb_56.csv.gz", 11, "point hors de l'emprise du territoire Essai "
                                                                     "(coordonnées erronées ?)")]


def test_base_imb_ancien_schema():
    resultat = lire({"base_imb_56_ancien.csv": octets("base_imb_56_ancien.csv")})
    cellules = [CELLULES[1], CELLULES[2], CELLULES[3]]
    pd.testing.assert_frame_equal(resultat.frame, attendu(cellules, [1, 1, 1], [1, 1, 3], [pd.NA] * 3))
    assert ("base_imb_56_ancien.csv : ancien schéma base_imb reconnu (imb_longitude/imb_latitude, coordonnées "
            "Web Mercator EPSG:3857)") in resultat.avertissements


def test_base_imb_en_degres_lu_comme_wgs84():
    lignes = octets("base_imb_56_ancien.csv").decode().splitlines()
    lignes[1] = lignes[1].replace("-374550.32;6065460.95", "-3.3646427;47.7505852")
    lignes[2] = lignes[2].replace("-373957.99;6065508.92", "-3.3593218;47.7508749")
    lignes[3] = lignes[3].replace("-371122.49;6068997.74", "-3.3338500;47.7719427")
    resultat = lire({"base_imb_56.csv": ("\n".join(lignes) + "\n").encode()})
    cellules = [CELLULES[1], CELLULES[2], CELLULES[3]]
    pd.testing.assert_frame_equal(resultat.frame, attendu(cellules, [1, 1, 1], [1, 1, 3], [pd.NA] * 3))
    assert any("en degrés (WGS84) et non en Web Mercator" in a for a in resultat.avertissements)


# --------------------------------------------------------------------------- Cartefibre
def test_cartefibre_etat_deploye_et_edition_du_nom():
    resultat = SOURCE.lire_et_valider({CARTEFIBRE: octets(CARTEFIBRE)}, CONTEXTE)
    # A deploye, B en cours (quoted name with a comma and doubled quotes), C « Déployé » → deploye;
    # D deploye, E cible; F deploye. Cartefibre has no count of locaux: one per building.
    pd.testing.assert_frame_equal(resultat.frame, attendu(CELLULES, [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1]))
    assert resultat.edition == "2026-06-30" and resultat.libelle_edition == "T2 2026"
    assert resultat.lignes_lues == 7 and resultat.lignes_rejetees == []
    assert resultat.avertissements[0] == (
        f"{CARTEFIBRE} (Cartefibre immeubles) : 7 immeuble(s) lu(s), 6 dans les communes du territoire Essai, "
        "1 hors territoire (non retenus ; ce ne sont pas des rejets)")


def test_cartefibre_zip_lu_en_flux(tmp_path):
    archive = tmp_path / "2026t2-immeuble.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(CARTEFIBRE, octets(CARTEFIBRE))
    resultat = SOURCE.lire_et_valider_chemins({archive.name: archive}, CONTEXTE)
    pd.testing.assert_frame_equal(resultat.frame, attendu(CELLULES, [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1]))
    assert resultat.avertissements[0].startswith(f"2026t2-immeuble.zip/{CARTEFIBRE} (Cartefibre immeubles)")


def test_zip_sans_csv_unique_refuse():
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        z.writestr("a.csv", b"x")
        z.writestr("b.csv", b"y")
    with pytest.raises(ErreurFormat, match="exactement un fichier CSV"):
        SOURCE.lire({"2026t2-immeuble.zip": tampon.getvalue()}, CONTEXTE)


def test_codes_qui_ont_perdu_leur_zero_initial():
    contexte = Contexte(AIN, frozenset({"01001"}))
    nom = "carte_fibre_immeubles_ain_2026_T2.csv"
    resultat = SOURCE.lire_et_valider({nom: octets(nom)}, contexte)
    # lines 2 (« 1001 ») and 3 (« 01001 ») in one cell; line 4 (« 1002 ») is another commune
    cellule = [("01001", "L93_500m_E8485N65640", 848750.0, 6564250.0, 4.927867, 46.16173)]
    pd.testing.assert_frame_equal(resultat.frame, attendu(cellule, [2], [2], [1]))
    assert (f"{nom}, colonne code_insee : 1 code(s) INSEE réparé(s) (zéro initial perdu ou format numérique), "
            "lignes 2") in resultat.avertissements


# --------------------------------------------------------------------------- errors
def remplacer_ligne(nom: str, numero: int, ancien: str, nouveau: str) -> bytes:
    lignes = octets(nom).decode().split("\n")
    assert ancien in lignes[numero - 1]
    lignes[numero - 1] = lignes[numero - 1].replace(ancien, nouveau)
    return "\n".join(lignes).encode()


def test_coordonnee_invalide_nommee_par_ligne_et_colonne():
    contenu = remplacer_ligne(BASE_IMB, 6, "-373957.99", "-373957,99x")
    with pytest.raises(ErreurFormat) as exc:
        lire({BASE_IMB: contenu})
    assert (exc.value.fichier, exc.value.ligne, exc.value.colonne) == (BASE_IMB, 6, "imb_x")
    assert "nombre invalide : « -373957,99x »" in str(exc.value)


def test_nombre_de_locaux_negatif_refuse():
    with pytest.raises(ErreurFormat) as exc:
        lire({BASE_IMB: remplacer_ligne(BASE_IMB, 9, ";2;fo;IM;", ";-2;fo;IM;")})
    assert (exc.value.ligne, exc.value.colonne) == (9, "imb_nbr_logloc")


def test_ligne_invalide_hors_territoire_sans_effet():
    resultat = lire({BASE_IMB: remplacer_ligne(BASE_IMB, 3, "-307356.92", "n/a")})
    assert int(resultat.frame["immeubles"].sum()) == 6


def test_ligne_mal_formee_nommee():
    contenu = remplacer_ligne(BASE_IMB, 7, ";rue de Kerfichant;;56098;Lanester;560980101;ban", "")
    with pytest.raises(ErreurFormat) as exc:
        lire({BASE_IMB: contenu})
    # 7 fields removed: 12 values; the first missing column is named
    assert (exc.value.fichier, exc.value.ligne, exc.value.colonne) == (BASE_IMB, 7, "addr_nom_voie")
    assert "12 valeurs au lieu de 18" in str(exc.value)


def test_guillemet_non_ferme():
    contenu = remplacer_ligne(CARTEFIBRE, 2, "DU PORT", '"DU PORT')
    with pytest.raises(ErreurFormat, match="guillemet non fermé probable") as exc:
        SOURCE.lire({CARTEFIBRE: contenu}, CONTEXTE)
    assert exc.value.ligne == 2


@pytest.mark.parametrize(("contenu", "message"), [
    (b"<!DOCTYPE html><html><body>maintenance</body></html>", "page HTML"),
    (b"", "fichier vide"),
    (b"code;valeur\n56121;3\n", "colonnes non reconnues"),
])
def test_fichiers_refuses(contenu, message):
    with pytest.raises(ErreurFormat, match=message):
        lire({BASE_IMB: contenu})


def test_gzip_tronque():
    compresse = gzip.compress(octets(BASE_IMB))
    with pytest.raises(ErreurFormat, match="archive compressée tronquée ou corrompue") as exc:
        lire({"base_imb_56.csv.gz": compresse[: len(compresse) // 2]})
    assert exc.value.fichier == "base_imb_56.csv.gz"


def test_aucun_immeuble_du_territoire():
    contexte = Contexte(TERRITOIRE, frozenset({"56162"}))
    with pytest.raises(ErreurFormat, match="aucun immeuble des communes du territoire Essai"):
        lire({BASE_IMB: octets(BASE_IMB)}, contexte)


def test_coordonnees_d_un_autre_systeme():
    lignes = octets("base_imb_56_ancien.csv").decode().splitlines()
    # Lambert-93 metres where Web Mercator is expected: every point falls outside the emprise
    lignes[1] = lignes[1].replace("-374550.32;6065460.95", "223610;6758120")
    lignes[2] = lignes[2].replace("-373957.99;6065508.92", "224010;6758120")
    with pytest.raises(ErreurFormat, match="autre système que EPSG:3857") as exc:
        lire({"base_imb_56.csv": ("\n".join(lignes) + "\n").encode()})
    assert exc.value.ligne == 2


def test_communes_dans_deux_fichiers_refusees():
    with pytest.raises(ErreurFormat, match="figure dans deux fichiers"):
        lire({BASE_IMB: octets(BASE_IMB), "base_imb_56_ancien.csv": octets("base_imb_56_ancien.csv")})


# --------------------------------------------------------------------------- edition
@pytest.mark.parametrize(("nom", "edition"), [
    ("carte_fibre_immeubles_2026_T2_20260902.csv", "2026-06-30"),
    ("2025t4-immeuble.zip", "2025-12-31"),
    ("2026_T1/base_imb_56.csv.gz", "2026-03-31"),
    ("base_imb_56_2026-02-15.csv.gz", "2026-02-15"),
    ("base_imb_56.csv.gz", None),
])
def test_edition_du_nom(nom, edition):
    assert edition_du_nom(nom) == edition


def test_libelle():
    assert libelle("2026-09-30") == "T3 2026"
    assert libelle("2026-02-15") == "15 février 2026"


def test_edition_inconnue_date_d_import_signalee():
    resultat = lire({BASE_IMB: octets(BASE_IMB)}, edition=None)
    aujourd_hui = datetime.now(UTC).date().isoformat()
    assert resultat.edition == aujourd_hui
    assert resultat.frame["date"].unique().tolist() == [aujourd_hui]
    assert (f"date d'édition absente du nom du fichier ({BASE_IMB}) : date d'import "
            f"{formats.date_longue(aujourd_hui)} retenue ; renommez le fichier avec son trimestre "
            "(ex. base_imb_56_2026_T2.csv.gz) pour dater l'édition") in resultat.avertissements


def test_parametre_d_edition_prioritaire():
    resultat = SourceArcepImmeubles(edition="2026-03-31").lire({CARTEFIBRE: octets(CARTEFIBRE)}, CONTEXTE)
    assert resultat.edition == "2026-03-31" and set(resultat.frame["date"]) == {"2026-03-31"}


def test_telechargement_du_departement_avec_son_trimestre():
    class Reponse:
        def __init__(self, url):
            self.url_finale = url.replace("/last/", "/2026_T2/").replace("data.arcep.fr",
                                                                         "arcep.s3.rbx.io.cloud.ovh.net")
            self.contenu = gzip.compress(octets(BASE_IMB))

    demandees = []

    def telecharger(url):
        demandees.append(url)
        return Reponse(url)

    fichiers = SOURCE.telecharger_pour(telecharger, CONTEXTE)
    assert demandees == ["https://data.arcep.fr/fixe/maconnexioninternet/base_imb/last/departement/base_imb_56.csv.gz"]
    assert list(fichiers) == ["2026_T2/base_imb_56.csv.gz"]
    assert SOURCE.lire_et_valider(fichiers, CONTEXTE).edition == "2026-06-30"


# --------------------------------------------------------------------------- store
def test_import_ne_garde_aucune_copie_brute(tmp_path):
    fichier = tmp_path / "base_imb_56_2026_T2.csv.gz"
    fichier.write_bytes(gzip.compress(octets(BASE_IMB), mtime=0))
    magasin = Magasin(tmp_path / "snapshots")
    m = importer(SOURCE, magasin, CONTEXTE, [fichier])
    dossier = magasin.dossier("arcep_immeubles") / m["identifiant_edition"]
    assert sorted(p.name for p in dossier.iterdir()) == ["data.parquet", "manifest.json"]
    assert not (dossier / "raw").exists()
    assert m["bruts_conserves"] is False
    assert m["fichiers_bruts"] == {fichier.name: {"sha256": sha256_fichier(fichier), "octets": fichier.stat().st_size}}
    assert m["identifiant_edition"].endswith("_" + sha256_fichier(fichier)[:8])
    assert m["edition"] == "2026-06-30" and m["lignes_lues"] == 10 and m["lignes_rejetees"] == 2
    assert json.loads((dossier / "manifest.json").read_text())["bruts_conserves"] is False
    assert magasin.charger("arcep_immeubles").frame["locaux"].tolist() == [2, 2, 13, 3]


def test_import_en_octets_ne_garde_aucune_copie_brute(tmp_path):
    magasin = Magasin(tmp_path / "snapshots")
    m = importer_octets(SOURCE, magasin, CONTEXTE, {"2026_T2/base_imb_56.csv.gz": gzip.compress(octets(BASE_IMB))})
    dossier = magasin.dossier("arcep_immeubles") / m["identifiant_edition"]
    assert not (dossier / "raw").exists()
    assert list(m["fichiers_bruts"]) == ["base_imb_56.csv.gz"]


def test_actualisation_sans_copie_brute(tmp_path):
    magasin = Magasin(tmp_path / "snapshots")

    class Reponse:
        url_finale = ("https://arcep.s3.rbx.io.cloud.ovh.net/fixe/maconnexioninternet/base_imb/2026_T2/departement/"
                      "base_imb_56.csv.gz")
        contenu = gzip.compress(octets(BASE_IMB))

    m = actualiser(SOURCE, magasin, CONTEXTE, telecharger=lambda url: Reponse())
    assert m["libelle_edition"] == "T2 2026" and m["bruts_conserves"] is False
    assert not (magasin.dossier("arcep_immeubles") / m["identifiant_edition"] / "raw").exists()


def test_source_qui_garde_ses_bruts_accepte_un_chemin(tmp_path, contexte):
    """The store's generalisation: a path is copied under raw/ and hashed as its bytes would be."""
    chemin = tmp_path / "valeurs.csv"
    chemin.write_bytes(csv_factice())
    assert empreintes_bruts({"valeurs.csv": chemin}) == empreintes_bruts({"valeurs.csv": csv_factice()})
    assert empreintes_bruts({"a": chemin, "b": b"xy"}) == empreintes_bruts({"a": csv_factice(), "b": b"xy"})
    magasin = Magasin(tmp_path / "snapshots")
    resultat = SourceFactice().lire_et_valider({"valeurs.csv": csv_factice()}, contexte)
    m = magasin.enregistrer(SourceFactice(), resultat, {"valeurs.csv": chemin})
    assert (magasin.dossier("factice") / m["identifiant_edition"] / "raw" / "valeurs.csv").read_bytes() == csv_factice()
    assert m["bruts_conserves"] is True


# --------------------------------------------------------------------------- pre-filter
def _fichier_aleatoire(graine: int) -> tuple[bytes, list[tuple[int, str]]]:
    """A CSV with quoted fields, quoted newlines, CRLF, and codes in many positions; returns
    the bytes and, for each record, (physical line, value of its « code » field)."""
    rng = random.Random(graine)  # noqa: S311 - test data, not security
    codes = ["56121", "56098", "56001", "29019", "1001", "01001"]
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\n")
    ecrivain.writerow(["id", "texte", "code", "autre"])
    attendus = []
    ligne = 2
    for i in range(400):
        texte = rng.choice(["a", "b;c", 'dit "oui"', "sur\ndeux lignes", "56121", "x56121", "56121y", ""])
        ligne_enr = [str(i), texte, rng.choice(codes), rng.choice(["", "56098", "156121", "IMB/56121/X"])]
        ecrivain.writerow(ligne_enr)
        attendus.append((ligne, ligne_enr[2]))
        ligne += 1 + texte.count("\n")
    contenu = tampon.getvalue().replace("\n5;", "\r\n5;", 1).encode()
    return contenu.rstrip(b"\n"), attendus  # no final line end


@pytest.mark.parametrize(("taille_bloc", "fils", "plafond"), [(64, 1, 4096), (256, 2, 4096), (1 << 20, 1, 4096),
                                                         (256, 2, 2), (1 << 20, 1, 2)])
def test_prefiltre_trouve_tous_les_enregistrements_du_territoire(taille_bloc, fils, plafond, monkeypatch):
    """``plafond`` 2: quotes are located with numpy (the path for files where every field is quoted)."""
    monkeypatch.setattr("dashboard.sources._prefiltre_csv.PLAFOND_GUILLEMETS", plafond)
    contenu, attendus = _fichier_aleatoire(3)
    extrait = extraire(io.BytesIO(contenu), {"56121", "01001"}, "f.csv", taille_bloc=taille_bloc, fils=fils)
    assert extrait.total == 400 and extrait.separateur == ";"
    lus = {ligne: enr for ligne, enr in zip(extrait.lignes, extrait.enregistrements, strict=True)}
    for ligne, code in attendus:
        if code in ("56121", "01001", "1001"):
            assert ligne in lus, ligne
            assert next(csv.reader(io.StringIO(lus[ligne].decode()), delimiter=";"))[2] == code
    # every candidate is a whole record starting at its physical line
    for ligne, enregistrement in lus.items():
        champs = next(csv.reader(io.StringIO(enregistrement.decode()), delimiter=";"))
        assert len(champs) == 4 and (ligne, champs[2]) in attendus


def test_prefiltre_ignore_les_codes_inclus_dans_un_autre_texte():
    contenu = b"id,a,b\n1,156121,IMB/56121/X\n2,x,56121\n3,561210,56121a\n"
    extrait = extraire(io.BytesIO(contenu), {"56121"}, "f.csv")
    assert extrait.enregistrements == [b"2,x,56121"] and extrait.lignes == [3] and extrait.total == 3


@pytest.mark.parametrize("fils", [1, 2])
def test_prefiltre_enregistrement_sans_fin(fils):
    contenu = b"id,a\n" + b"0,56121\n" * 40 + b'41,"ouvert\n' + b"2,x\n" * 100
    with pytest.raises(ErreurFormat, match="guillemet non fermé probable") as exc:
        extraire(io.BytesIO(contenu), {"56121"}, "f.csv", taille_bloc=64, fils=fils)
    assert (exc.value.fichier, exc.value.ligne) == ("f.csv", 42)


def _extraits_egaux(a, b) -> None:
    assert (a.entete, a.separateur, a.total, a.octets) == (b.entete, b.separateur, b.total, b.octets)
    assert (a.lignes, a.enregistrements) == (b.lignes, b.enregistrements)


@pytest.mark.parametrize(("taille_bloc", "fils", "seuil"), [(64, 1, None), (64, 2, 0), (256, 3, 0),
                                                           (1 << 20, 2, 0), (256, 2, None)])
@pytest.mark.parametrize("fin_de_ligne", [b"", b"\n"])
def test_prefiltre_fichier_projete_identique_au_flux(tmp_path, monkeypatch, taille_bloc, fils, seuil, fin_de_ligne):
    """A plain file is mapped in memory and, from ``SEUIL_PARALLELE`` bytes, cut in parts
    searched by forked processes: same records, lines and counts as the streamed reading."""
    monkeypatch.setattr("dashboard.sources._prefiltre_csv.SEUIL_PARALLELE", 1 << 40 if seuil is None else seuil)
    for graine in (3, 4, 5):
        contenu, _ = _fichier_aleatoire(graine)
        chemin = tmp_path / f"f{graine}.csv"
        chemin.write_bytes(contenu + fin_de_ligne)
        with chemin.open("rb") as fichier:
            projete = extraire(fichier, {"56121", "01001"}, "f.csv", taille_bloc=taille_bloc, fils=fils)
        _extraits_egaux(projete, extraire(io.BytesIO(contenu + fin_de_ligne), {"56121", "01001"}, "f.csv",
                                          taille_bloc=taille_bloc, fils=1))


def test_prefiltre_parties_coupees_dans_un_champ_entre_guillemets(tmp_path, monkeypatch):
    """The parts of a mapped file end after a newline; when that newline is inside a quoted
    field, the parallel search gives up and one process reads the whole file."""
    from dashboard.sources import _prefiltre_csv

    monkeypatch.setattr(_prefiltre_csv, "SEUIL_PARALLELE", 0)
    lignes = [b"id,texte,code"] + [b"%d,x,56121" % i for i in range(40)]
    lignes.append(b'40,"' + b"\n".join(b"ligne %d" % i for i in range(60)) + b'",56121')
    lignes += [b"%d,y,56121" % i for i in range(41, 50)]
    contenu = b"\n".join(lignes) + b"\n"
    chemin = tmp_path / "f.csv"
    chemin.write_bytes(contenu)
    with chemin.open("rb") as fichier:
        fichier.readline()
        carte = _prefiltre_csv._carte(fichier, lignes[0] + b"\n")
        chercheur = _prefiltre_csv._Chercheur({"56121"}, ",")
        assert _prefiltre_csv._en_parallele(carte, fichier.tell(), chercheur, 2, 256) is None
        carte.close()
    with chemin.open("rb") as fichier:
        extrait = extraire(fichier, {"56121"}, "f.csv", taille_bloc=256, fils=2)
    _extraits_egaux(extrait, extraire(io.BytesIO(contenu), {"56121"}, "f.csv", taille_bloc=256, fils=1))
    assert extrait.total == 50 and extrait.lignes[40:42] == [42, 102]


@pytest.mark.parametrize("fils", [1, 2])
def test_prefiltre_fichier_projete_enregistrement_sans_fin(tmp_path, monkeypatch, fils):
    monkeypatch.setattr("dashboard.sources._prefiltre_csv.SEUIL_PARALLELE", 0)
    chemin = tmp_path / "f.csv"
    chemin.write_bytes(b"id,a\n" + b"0,56121\n" * 40 + b'41,"ouvert\n' + b"2,x\n" * 100)
    with chemin.open("rb") as fichier, pytest.raises(ErreurFormat, match="guillemet non fermé probable") as exc:
        extraire(fichier, {"56121"}, "f.csv", taille_bloc=64, fils=fils)
    assert (exc.value.fichier, exc.value.ligne) == ("f.csv", 42)


@pytest.mark.parametrize("fils", [2, 3])
def test_prefiltre_parties_recollees(tmp_path, monkeypatch, fils):
    """Parts searched by forked processes: their lines and counts are put back in order."""
    from dashboard.sources import _prefiltre_csv

    resultats = []
    en_parallele = _prefiltre_csv._en_parallele

    def espion(*args):
        resultats.append(en_parallele(*args))
        return resultats[-1]

    monkeypatch.setattr(_prefiltre_csv, "SEUIL_PARALLELE", 0)
    monkeypatch.setattr(_prefiltre_csv, "_en_parallele", espion)
    contenu = b"id;code;x\r\n" + b"".join(b"%d;%s;1\r\n" % (i, b"56121" if i % 7 == 0 else b"29019")
                                          for i in range(300))
    chemin = tmp_path / "f.csv"
    chemin.write_bytes(contenu)
    with chemin.open("rb") as fichier:
        extrait = extraire(fichier, {"56121"}, "f.csv", taille_bloc=128, fils=fils)
    assert len(resultats[0]) == fils
    _extraits_egaux(extrait, extraire(io.BytesIO(contenu), {"56121"}, "f.csv", taille_bloc=128))
    assert extrait.lignes == [2 + i for i in range(0, 300, 7)] and extrait.total == 300
    assert extrait.enregistrements[1] == b"7;56121;1"


def test_prefiltre_processus_auxiliaire_en_echec(tmp_path, monkeypatch):
    """A worker that fails: this process reads the whole file, same result."""
    from dashboard.sources import _prefiltre_csv

    def echec(*_):
        raise RuntimeError("panne simulée")

    retours = []
    en_parallele = _prefiltre_csv._en_parallele
    monkeypatch.setattr(_prefiltre_csv, "SEUIL_PARALLELE", 0)
    monkeypatch.setattr(_prefiltre_csv, "_balayer_partie", echec)
    monkeypatch.setattr(_prefiltre_csv, "_en_parallele", lambda *a: retours.append(en_parallele(*a)))
    contenu, _ = _fichier_aleatoire(7)
    chemin = tmp_path / "f.csv"
    chemin.write_bytes(contenu)
    with chemin.open("rb") as fichier:
        extrait = extraire(fichier, {"56121", "01001"}, "f.csv", taille_bloc=128, fils=2)
    assert retours == [None]
    _extraits_egaux(extrait, extraire(io.BytesIO(contenu), {"56121", "01001"}, "f.csv", taille_bloc=128))


def test_prefiltre_zone_dense_en_codes(monkeypatch):
    """Beyond ``PLAFOND_TOUCHES`` hits in a block (the territory's own département), the
    codes are located with numpy: same result."""
    contenu, _ = _fichier_aleatoire(6)
    attendu = extraire(io.BytesIO(contenu), {"56121", "01001"}, "f.csv", taille_bloc=256)
    monkeypatch.setattr("dashboard.sources._prefiltre_csv.PLAFOND_TOUCHES", 0)
    _extraits_egaux(extraire(io.BytesIO(contenu), {"56121", "01001"}, "f.csv", taille_bloc=256), attendu)


def _cartefibre_melange() -> bytes:
    """The Cartefibre fixture with quoted fields (separators and doubled quotes inside)."""
    lignes = octets(CARTEFIBRE).decode().splitlines()
    lignes[2] = lignes[2].replace("DU PORT", '"DU PORT, QUAI ""OUEST"""')
    lignes[3] = lignes[3].replace(",56121,", ',"56121",')
    return ("\n".join(lignes) + "\n").encode()


def test_lecture_rapide_des_candidats_identique_a_duckdb():
    """pyarrow reads the candidate records when nothing is unusual; DuckDB (the careful
    reading) gives the same table."""
    from dashboard.sources import arcep_immeubles as module

    extrait = extraire(io.BytesIO(_cartefibre_melange()), CONTEXTE.codes_communes, CARTEFIBRE)
    noms = module._colonnes_entete(extrait, CARTEFIBRE)
    disposition = module.reconnaitre(noms, CARTEFIBRE)
    rapide = module._parser_rapide(extrait, noms, ["code_insee", "x", "y", "imb_etat"])
    prudent = module._parser_duckdb(extrait, noms, CARTEFIBRE, disposition, [])[rapide.columns]
    for colonne in ("code_insee", "x", "y", "imb_etat"):
        prudent[colonne] = prudent[colonne].astype("str").where(prudent[colonne].notna(), "")
    pd.testing.assert_frame_equal(rapide, prudent, check_dtype=False)
    assert '"' in b"".join(extrait.enregistrements).decode()


@pytest.mark.parametrize(("ancien", "nouveau"), [
    ("DU PORT", 'DU "PORT" X'),  # quotes inside an unquoted field
    ("DU PORT", "DU\rPORT"),  # a lone CR
    ("DU PORT", "DU PORT,X"),  # one value too many
    ("DU PORT", "D\xfb PORT"),  # not UTF-8 (Windows-1252)
])
def test_lecture_rapide_laisse_les_cas_douteux_a_duckdb(ancien, nouveau):
    from dashboard.sources import arcep_immeubles as module

    lignes = octets(CARTEFIBRE).split(b"\n")
    lignes[1] = lignes[1].replace(ancien.encode(), nouveau.encode("latin-1"))
    extrait = extraire(io.BytesIO(b"\n".join(lignes)), CONTEXTE.codes_communes, CARTEFIBRE)
    noms = module._colonnes_entete(extrait, CARTEFIBRE)
    assert module._parser_rapide(extrait, noms, ["code_insee", "x", "y", "imb_etat"]) is None


def test_cartefibre_avec_guillemets_lu_comme_sans(tmp_path):
    """Quoted fields (quotes doubled inside, a quoted code) change nothing, file or bytes."""
    sans = lire({CARTEFIBRE: octets(CARTEFIBRE)}).frame
    chemin = tmp_path / CARTEFIBRE
    chemin.write_bytes(_cartefibre_melange())
    pd.testing.assert_frame_equal(lire({CARTEFIBRE: _cartefibre_melange()}).frame, sans)
    par_chemin = SourceArcepImmeubles(edition="2026-06-30").lire_chemins({CARTEFIBRE: chemin}, CONTEXTE)
    pd.testing.assert_frame_equal(par_chemin.frame.reset_index(drop=True), sans.reset_index(drop=True),
                                  check_dtype=False)


# --------------------------------------------------------------------------- demonstration
def test_demo_format_officiel_et_locaux_donnes(contexte):
    assert generateurs()["arcep_immeubles"] is demo.generer
    locaux = {"56069": 40, "56121": 300, "56166": 25}  # Groix, Lorient, Quéven
    fichiers = demo.generer(contexte, 7, locaux=locaux)
    assert list(fichiers) == ["2026_T2/base_imb_56.csv.gz"]
    assert fichiers == demo.generer(contexte, 7, locaux=locaux)  # same seed, same bytes
    texte = gzip.decompress(fichiers["2026_T2/base_imb_56.csv.gz"]).decode()
    assert texte.split("\n", 1)[0] == ";".join(demo.ENTETE)
    resultat = SOURCE.lire_et_valider(fichiers, contexte)
    assert resultat.lignes_rejetees == [] and resultat.edition == "2026-06-30"
    assert resultat.frame.groupby("code_insee")["locaux"].sum().to_dict() == locaux


def test_instantane_de_demo_coherent_avec_la_demo_mci():
    magasin = Magasin(RACINE / "data" / "snapshots")
    immeubles = magasin.charger("arcep_immeubles")
    mci = magasin.charger("arcep_mci").frame
    nbr = mci[(mci["niveau"] == "commune") & (mci["fichier"] == "debit_filaire") & (mci["mesure"] == "nbr")
              & (mci["date"] == "2026-06-30")]
    assert immeubles.manifeste["demo"] is True and immeubles.manifeste["bruts_conserves"] is False
    assert (immeubles.frame.groupby("code_insee")["locaux"].sum().to_dict()
            == {str(c): int(v) for c, v in zip(nbr["code"], nbr["valeur"], strict=True)})
    assert sum(p.stat().st_size for p in (RACINE / "data" / "snapshots" / "arcep_immeubles").rglob("*")) < 2_000_000
