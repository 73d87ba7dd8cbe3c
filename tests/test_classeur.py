"""Safe workbook reading: zip pre-checks, sheet and header lookup, located cell errors."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest

from dashboard.erreurs import ErreurFormat
from dashboard.sources.classeur import (
    ErreurClasseur,
    convertir_booleen,
    convertir_entier,
    lignes_donnees,
    normaliser_texte,
    ouvrir_classeur,
    trouver_entete,
    verifier_zip,
)
from tests.fixtures.arcep_ftth.generer_fixtures import classeur


def _classeur_simple(lignes: list[list], feuille: str = "Communes") -> bytes:
    return classeur([], lignes[0], lignes[1:], feuille=feuille, autres_feuilles=("FttH", "Couverture"))


def _zip(membres: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression) as z:
        for nom, contenu in membres.items():
            z.writestr(nom, contenu)
    return tampon.getvalue()


@pytest.fixture
def openpyxl_interdit(monkeypatch):
    """Fail the test if openpyxl is asked to parse anything (checks happen before)."""

    def refuser(*_args, **_kwargs):
        raise AssertionError("openpyxl ne doit pas être appelé")

    monkeypatch.setattr(openpyxl, "load_workbook", refuser)


# --------------------------------------------------------------------------- zip pre-check
def test_fichier_csv_nomme_xlsx_refuse_avant_openpyxl(openpyxl_interdit):
    csv = b"Code commune;T2 2026\n56121;35400\n"
    with pytest.raises(ErreurFormat) as exc:
        with ouvrir_classeur(csv, "obs-hd-thd-deploiement.xlsx"):
            pass
    assert exc.value.message == "ce n'est pas un classeur Excel .xlsx : le fichier est un fichier texte (CSV ?)"
    assert exc.value.fichier == "obs-hd-thd-deploiement.xlsx"


@pytest.mark.parametrize(
    ("contenu", "nature"),
    [
        (b"<!DOCTYPE html><html><body>Maintenance</body></html>", "une page HTML (page d'erreur ou de maintenance ?)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
         "un classeur ancien format (.xls) ou un classeur protégé par mot de passe"),
        (b"%PDF-1.7\n", "un document PDF"),
    ],
)
def test_autres_formats_nommes(contenu, nature, openpyxl_interdit):
    with pytest.raises(ErreurFormat) as exc:
        verifier_zip(contenu, "x.xlsx")
    assert exc.value.message == f"ce n'est pas un classeur Excel .xlsx : le fichier est {nature}"


def test_fichier_vide():
    with pytest.raises(ErreurFormat, match="fichier vide"):
        verifier_zip(b"", "x.xlsx")


def test_bombe_zip_refusee_avant_openpyxl(openpyxl_interdit):
    # 20 Mo de zéros compressés en ~20 ko : rapport ≈ 1000, bien au-delà du maximum de 200.
    bombe = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                  "xl/worksheets/sheet1.xml": b"\x00" * 20_000_000})
    assert len(bombe) < 100_000
    with pytest.raises(ErreurFormat) as exc:
        with ouvrir_classeur(bombe, "bombe.xlsx"):
            pass
    assert "bombe zip" in exc.value.message
    assert "xl/worksheets/sheet1.xml" in exc.value.message
    assert "passe de" in exc.value.message and "à 20000000 octets" in exc.value.message


def test_taille_decompressee_totale_plafonnee(openpyxl_interdit):
    contenu = _classeur_simple([["Code commune", "T2 2026"], ["56121", 1]])
    with pytest.raises(ErreurFormat) as exc:
        with ouvrir_classeur(contenu, "gros.xlsx", taille_max=1_000):
            pass
    assert exc.value.message.startswith("classeur trop volumineux une fois décompressé (")
    assert exc.value.message.endswith("octets, maximum 1000)")


def test_membre_volumineux_peu_compresse_accepte_mais_total_plafonne():
    # Un membre stocké sans compression (rapport 1) passe le contrôle de rapport
    # mais pas le plafond total.
    contenu = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"a" * 3_000_000},
                   compression=zipfile.ZIP_STORED)
    verifier_zip(contenu, "x.xlsx")  # sous les plafonds par défaut : accepté
    with pytest.raises(ErreurFormat, match="trop volumineux"):
        verifier_zip(contenu, "x.xlsx", taille_max=2_000_000)


def test_trop_de_membres(openpyxl_interdit):
    membres = {f"xl/worksheets/sheet{i}.xml": b"<x/>" for i in range(30)}
    membres["xl/workbook.xml"] = b"<workbook/>"
    with pytest.raises(ErreurFormat) as exc:
        verifier_zip(_zip(membres), "x.xlsx", membres_max=20)
    assert exc.value.message == "archive suspecte : 31 fichiers internes (maximum 20)"


def test_zip_qui_n_est_pas_un_classeur(openpyxl_interdit):
    with pytest.raises(ErreurFormat) as exc:
        verifier_zip(_zip({"donnees.csv": b"a;b\n"}), "archive.xlsx")
    assert exc.value.message.startswith("archive zip qui n'est pas un classeur Excel")


def test_zip_tronque():
    contenu = _classeur_simple([["Code commune", "T2 2026"], ["56121", 1]])
    with pytest.raises(ErreurFormat, match="endommagé"):
        verifier_zip(contenu[: len(contenu) // 2], "tronque.xlsx")


def test_defusedxml_exige(monkeypatch):
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    contenu = _classeur_simple([["Code commune", "T2 2026"], ["56121", 1]])
    with pytest.raises(ErreurFormat, match="defusedxml"):
        with ouvrir_classeur(contenu, "x.xlsx"):
            pass


def test_defusedxml_actif_dans_l_environnement():
    assert openpyxl.DEFUSEDXML is True


def test_xml_invalide_dans_un_zip_valide():
    contenu = _zip({"[Content_Types].xml": b"<Types", "xl/workbook.xml": b"<workbook",
                    "xl/worksheets/sheet1.xml": b"<worksheet"})
    with pytest.raises(ErreurFormat) as exc:
        with ouvrir_classeur(contenu, "casse.xlsx"):
            pass
    assert exc.value.message.startswith("classeur .xlsx illisible (")


# --------------------------------------------------------------------------- sheets, header, rows
def test_feuille_absente_liste_les_feuilles():
    contenu = _classeur_simple([["Code commune", "T2 2026"], ["56121", 1]], feuille="Commune")
    with ouvrir_classeur(contenu, "obs.xlsx") as c:
        with pytest.raises(ErreurClasseur) as exc:
            c.feuille("Communes")
    assert exc.value.message == "feuille « Communes » absente ; feuilles disponibles : FttH, Couverture, Commune"
    assert str(exc.value).startswith("fichier « obs.xlsx » : feuille « Communes » absente")


def test_feuille_trouvee_sans_tenir_compte_de_la_casse_ni_des_espaces():
    contenu = _classeur_simple([["Code commune", "T2 2026"], ["56121", 1]], feuille=" communes ")
    with ouvrir_classeur(contenu, "obs.xlsx") as c:
        assert c.feuille("Communes").nom == " communes "


def test_entete_trouvee_par_son_contenu_et_numeros_de_ligne_physiques():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Communes"
    ws["A1"] = "Observatoire — titre"
    ws["A2"] = "Source : Arcep"
    # ligne 3 vide, puis en-tête ligne 4, une ligne vide (6) au milieu des données
    ws.append([])
    ws["A4"], ws["B4"], ws["C4"] = "Code\u00a0commune", "T1 2026", "T2\n2026"
    ws["A5"], ws["B5"], ws["C5"] = "56121", 1, 2
    ws["A7"], ws["B7"] = "56098", 3
    tampon = io.BytesIO()
    wb.save(tampon)
    with ouvrir_classeur(tampon.getvalue(), "t.xlsx") as c:
        feuille = c.feuille("Communes")
        entete = trouver_entete(feuille, ("Code commune",))
        assert entete.ligne == 4
        assert entete.noms == ("Code commune", "T1 2026", "T2 2026")
        assert list(lignes_donnees(feuille, entete)) == [(5, ("56121", 1, 2)), (7, ("56098", 3, None))]


def test_entete_introuvable():
    contenu = _classeur_simple([["Commune", "T2 2026"], ["56121", 1]])
    with ouvrir_classeur(contenu, "obs.xlsx") as c:
        with pytest.raises(ErreurClasseur) as exc:
            trouver_entete(c.feuille("Communes"), ("Code commune",), lignes_max=10)
    assert exc.value.message == (
        "ligne d'en-tête introuvable : aucune des 10 premières lignes ne commence par « Code commune »"
    )
    assert exc.value.feuille == "Communes"


def test_normaliser_texte():
    assert normaliser_texte("  Meilleure\u00a0estimation\n des\u202flocaux ") == "Meilleure estimation des locaux"
    assert normaliser_texte(None) == ""
    assert normaliser_texte(2026) == "2026"


# --------------------------------------------------------------------------- cells
class _Feuille:
    """Stand-in for a Feuille: only ``erreur`` is used by the converters."""

    nom = "Communes"
    fichier = "obs.xlsx"

    def erreur(self, message, *, ligne=None, colonne=None, conseil=None):
        return ErreurClasseur(message, fichier=self.fichier, feuille=self.nom, ligne=ligne, colonne=colonne,
                              conseil=conseil)


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (35400, 35400),
        (35400.0, 35400),
        ("35\u202f400", 35400),
        ("35\u00a0400", 35400),
        ("1 234 567", 1234567),
        ("35400.0", 35400),
        (" 12 ", 12),
        (0, 0),
        (None, None),
        ("", None),
        ("\u00a0", None),
        ("s", None),
        ("ND", None),
        ("secret", None),
    ],
)
def test_convertir_entier(valeur, attendu):
    assert convertir_entier(valeur, _Feuille(), 12, "T2 2026") == attendu


@pytest.mark.parametrize(
    ("valeur", "message"),
    [
        ("12a", "nombre invalide : « 12a »"),
        ("1,5", "nombre invalide : « 1,5 »"),
        (12.5, "nombre entier attendu : « 12.5 »"),
        (-3, "nombre négatif inattendu : « -3 »"),
        ("-3", "nombre invalide : « -3 »"),
        (True, "nombre attendu, valeur « True » trouvée"),
        (datetime(2026, 6, 30), "nombre attendu, valeur « 2026-06-30 00:00:00 » trouvée"),
    ],
)
def test_convertir_entier_refuse_avec_position(valeur, message):
    with pytest.raises(ErreurClasseur) as exc:
        convertir_entier(valeur, _Feuille(), 123, "T2 2026")
    assert exc.value.message == message
    assert str(exc.value) == (
        f"fichier « obs.xlsx », feuille « Communes », ligne 123, colonne « T2 2026 » : {message}"
    )
    assert isinstance(exc.value, ErreurFormat)


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [(1, True), (0, False), (1.0, True), ("Oui", True), ("non", False), ("VRAI", True), ("faux", False),
     (True, True), ("x", True), (None, None), ("", None)],
)
def test_convertir_booleen(valeur, attendu):
    assert convertir_booleen(valeur, _Feuille(), 5, "Commune rurale") is attendu


def test_convertir_booleen_refuse():
    with pytest.raises(ErreurClasseur) as exc:
        convertir_booleen("peut-être", _Feuille(), 5, "Commune rurale")
    assert str(exc.value) == (
        "fichier « obs.xlsx », feuille « Communes », ligne 5, colonne « Commune rurale » : "
        "valeur oui/non attendue : « peut-être »"
    )

