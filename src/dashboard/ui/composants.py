"""Shared widgets: scope selector, key figures, legend, footer, demonstration banner."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard import formats
from dashboard.erreurs import ErreurConfiguration
from dashboard.indicateurs.territoire import ChiffresCles
from dashboard.territoire import Perimetre, Territoire, perimetres, resoudre_perimetre
from dashboard.vues.carte import COULEUR_NON_DISPONIBLE, LIBELLE_NON_DISPONIBLE, Classe
from dashboard.vues.provenance import Provenance
from dashboard.vues.securite import safe_html

CLE_PERIMETRE = "perimetre"


def choisir_perimetre(territoire: Territoire, communes: list[tuple[str, str]]) -> Perimetre:
    """Sidebar scope selector, kept in the URL (``?perimetre=pays|<SIREN>|<code INSEE>``)."""
    disponibles = perimetres(territoire, communes)
    demande = st.query_params.get(CLE_PERIMETRE)
    try:
        actuel = resoudre_perimetre(demande, disponibles)
    except ErreurConfiguration as exc:
        st.sidebar.warning(f"{exc} Affichage de l'ensemble du territoire.")
        actuel = disponibles[0]
    index = disponibles.index(actuel)
    choisi = st.sidebar.selectbox(
        "Périmètre",
        disponibles,
        index=index,
        # A stable key: without it the widget id depends on ``index``, which follows the URL,
        # so every other choice created a new widget and the user's pick was lost.
        key="perimetre_choisi",
        format_func=lambda p: p.libelle if p.niveau != "commune" else f"Commune : {p.libelle}",
        help="Le territoire entier, un EPCI ou une commune. Le choix est conservé dans l'adresse de la page.",
    )
    if st.query_params.get(CLE_PERIMETRE) != choisi.parametre:
        st.query_params[CLE_PERIMETRE] = choisi.parametre
    return choisi


def chiffres_cles(chiffres: ChiffresCles) -> None:
    colonnes = st.columns(4)
    colonnes[0].metric("Communes", formats.nombre(chiffres.nb_communes))
    colonnes[1].metric("Population municipale", formats.nombre(chiffres.population))
    colonnes[2].metric("Superficie", formats.superficie(chiffres.superficie_km2))
    colonnes[3].metric("Densité", formats.densite(chiffres.densite_hab_km2))


def legende(titre: str, classes: Sequence[Classe], avec_non_disponible: bool = True) -> None:
    """Legend under a map; labels come from our own formatting, escaped anyway."""
    elements = [
        f'<span style="display:inline-flex;align-items:center;margin-right:1em">'
        f'<span style="width:1.4em;height:1em;background:{c.couleur};border:1px solid #555;'
        f'display:inline-block;margin-right:.35em"></span>{safe_html(c.libelle)}</span>'
        for c in classes
    ]
    if avec_non_disponible:
        elements.append(
            f'<span style="display:inline-flex;align-items:center"><span style="width:1.4em;height:1em;'
            f'background:{COULEUR_NON_DISPONIBLE};border:1px dashed #333;display:inline-block;'
            f'margin-right:.35em"></span>{LIBELLE_NON_DISPONIBLE}</span>'
        )
    st.html(f'<div role="img" aria-label="Légende : {safe_html(titre)}" style="font-size:0.9rem">'
            f"<strong>{safe_html(titre)}</strong><br>{''.join(elements)}</div>")


def bandeau_demo(provenances: Sequence[Provenance]) -> None:
    demos = [p.titre for p in provenances if p.demo]
    if demos:
        st.warning(
            "**Données de démonstration** : " + ", ".join(demos) + " — ces chiffres sont générés "
            "pour illustrer l'outil et ne décrivent pas la réalité. Ils seront remplacés par les "
            "données officielles dès l'actualisation (`python -m dashboard refresh`).",
            icon="⚠️",
        )


def dates_des_donnees(provenances: Sequence[Provenance]) -> None:
    """Sidebar: the edition of each dataset on screen (« Date des données »)."""
    if not provenances:
        return
    lignes = [f"- {_markdown_inerte(p.titre_court())} : {_markdown_inerte(p.edition_courte())}"
              + (" — *démonstration*" if p.demo else "") for p in provenances]
    st.caption("**Date des données**\n\n" + "\n".join(lignes))


def pied_de_page(provenances: Sequence[Provenance]) -> None:
    if not provenances:
        return
    st.divider()
    lignes = "\n".join(f"- {_markdown_inerte(p.texte())}" for p in provenances)
    st.caption("**Sources des données affichées**\n\n" + lignes)


def _markdown_inerte(texte: str) -> str:
    """Escape Markdown syntax so data text cannot become links or images."""
    for caractere in "\\`*_{}[]()#+!|<>$":
        texte = texte.replace(caractere, "\\" + caractere)
    return texte
