"""Text and tables of the « Lieux et tiers-lieux » page."""

from __future__ import annotations

import pandas as pd

from dashboard import formats
from dashboard.vues.carte import COULEURS_CATEGORIES
from dashboard.vues.securite import lien_sur, safe_html


def metriques_offre(ligne: pd.Series, nb_sans_coordonnees: int) -> list[tuple[str, str, str]]:
    """(label, value, help) from a row of ``offre.agreger_offre``."""
    return [
        ("Lieux", formats.nombre(ligne["nb_lieux"]), "Lieux correspondant aux filtres, dans le périmètre."),
        ("Lieux pour 10 000 habitants", formats.nombre(ligne["lieux_pour_10000_hab"], 1),
         "Nombre de lieux rapporté à la population municipale du périmètre."),
        ("Communes sans aucun lieu", formats.nombre(ligne["nb_communes_sans_lieu"]),
         "Communes du périmètre où aucun lieu filtré n'est implanté."),
        ("Lieux sans coordonnées", formats.nombre(nb_sans_coordonnees),
         "Lieux listés dans le tableau mais absents de la carte (coordonnées inconnues)."),
    ]


def phrase_offre(ligne: pd.Series, de_perimetre: str) -> str:
    """« Les 30 communes du Pays de Lorient comptent 44 lieux, soit 2,0 pour 10 000 habitants ; 3 n'en ont aucun. »"""
    sans = int(ligne["nb_communes_sans_lieu"]) if not pd.isna(ligne["nb_communes_sans_lieu"]) else 0
    fin = "toutes en ont au moins un" if sans == 0 else f"{formats.nombre(sans)} commune(s) n'en ont aucun"
    return (f"{formats.nombre(ligne['nb_lieux'])} lieu(x) {de_perimetre} correspondent aux filtres, soit "
            f"{formats.nombre(ligne['lieux_pour_10000_hab'], 1)} pour 10 000 habitants ; {fin}.")


def legende_categories() -> str:
    """HTML of the category legend (fixed strings only)."""
    elements = [
        f'<span style="display:inline-flex;align-items:center;margin-right:1.2em"><span style="width:.9em;'
        f'height:.9em;border-radius:50%;background:{couleur};display:inline-block;margin-right:.35em"></span>'
        f"{safe_html(categorie)}</span>"
        for categorie, couleur in COULEURS_CATEGORIES.items()
    ]
    elements.append('<span style="display:inline-flex;align-items:center"><span style="width:.9em;height:.9em;'
                    'border-radius:50%;border:2px dashed #000;display:inline-block;margin-right:.35em"></span>'
                    "itinérant (point de départ)</span>")
    return "".join(elements)


def tableau_lieux(lieux: pd.DataFrame) -> pd.DataFrame:
    """The places table: plain text columns, multi-values readable, only http(s) links kept."""
    return pd.DataFrame({
        "nom": lieux["nom"],
        "categorie": lieux["categorie"],
        "commune": lieux["commune"],
        "adresse": lieux["adresse"],
        "services": lieux["services"].fillna("").str.replace("|", ", ", regex=False),
        "gratuit": lieux["gratuit"].map({True: "oui", False: "non"}).fillna("inconnu"),
        "itinerant": lieux["itinerant"].map({True: "oui", False: "non"}).fillna("inconnu"),
        "heures_par_semaine": lieux["heures_par_semaine"],
        "site_web": lieux["site_web"].map(lien_sur),
        "source": lieux["source"],
    }).reset_index(drop=True)
