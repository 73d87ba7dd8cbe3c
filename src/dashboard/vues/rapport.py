"""Assemble the PDF report of a commune or of the whole territory (content only; the PDF itself
is drawn by :mod:`dashboard.exports.rapport_pdf`, the images by :mod:`dashboard.exports.images`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard import formats
from dashboard.exports.images import carte_png, graphique_serie_png
from dashboard.exports.rapport_pdf import PRECAUTIONS_GENERALES, ContenuRapport
from dashboard.indicateurs import fiche
from dashboard.indicateurs.synthese_inclusion import tableau_fragilite
from dashboard.vues.classes import PALETTE_ALERTE, classes_quantiles
from dashboard.vues.fiche import formater, tableau_affiche
from dashboard.vues.provenance import Provenance

CHIFFRES_RAPPORT = ("population", "locaux", "part_sans_thd", "part_sans_bhd", "taux_ftth", "projection_ftth",
                    "illectronisme", "part_75_plus", "nb_lieux", "part_loin")
PRECAUTIONS_SPECIFIQUES = (
    "L'indice de fragilité est « inspiré de l'indice de fragilité numérique (IFN) » : ce n'est pas l'IFN officiel ; "
    "son score compare les communes du territoire entre elles.",
    "L'illectronisme est une estimation : taux nationaux par âge (Insee Première n°1953, enquête 2021) appliqués à "
    "la structure par âge locale ; l'INSEE ne publie pas ce taux par commune.",
    "La date de 100 % de fibre est une extrapolation au rythme des quatre derniers trimestres, pas une prévision.",
    "L'éloignement des lieux répartit la population uniformément sur une grille de 500 m et mesure des distances à "
    "vol d'oiseau : c'est un ordre de grandeur.",
)


def _source_texte(p: Provenance | None) -> str | None:
    return p.texte() if p else None


def contenu_rapport(d: fiche.DonneesFiche, sources: Mapping[str, Provenance], groupes: Mapping[str, list[str]],
                    externes: Mapping[str, tuple[str, str]], focus: str, titre: str) -> ContenuRapport:
    """Key figures of ``focus`` (a key of ``groupes``) with their sources, two maps (white zones,
    fragility), the fibre series of every group, the profile table, sources and caveats."""
    tableau = fiche.tableau_fiche(d, groupes, externes)
    lignes = tableau.set_index("indicateur")
    chiffres = [(str(lignes.loc[i, "libelle"]), formater(lignes.loc[i, focus], lignes.loc[i, "unite"]),
                 sources.get(str(lignes.loc[i, "source"]))) for i in CHIFFRES_RAPPORT]
    selection = set(groupes[focus])
    images: list[tuple[str, bytes, str]] = []
    demo = any(p.demo for p in sources.values())
    if d.mci is not None:
        from dashboard.indicateurs.couverture import locaux_sans_thd

        parts = locaux_sans_thd(d.mci).set_index("code")["part_locaux_sans_thd"]
        classes = classes_quantiles(parts, formats.pourcentage, PALETTE_ALERTE)
        titre_carte = "Locaux sans très haut débit filaire (moins de 30 Mbit/s)"
        source = _source_texte(sources.get("arcep_mci"))
        images.append((titre_carte, carte_png(d.communes, parts, classes, titre_carte, source,
                                              titre_legende="part des locaux", selection=selection,
                                              cadrer_selection=False, demo=demo), source))
    if d.insee is not None:
        scores = tableau_fragilite(d.insee, d.mci).set_index("code_insee")["score_0_10"]
        classes = classes_quantiles(scores, lambda v: formats.nombre(v, 1), PALETTE_ALERTE)
        titre_carte = "Indice inspiré de l'indice de fragilité numérique (score 0–10)"
        images.append((titre_carte, carte_png(d.communes, scores, classes, titre_carte,
                                              _source_texte(sources.get("insee_communes")), titre_legende="score",
                                              selection=selection, cadrer_selection=False, demo=demo),
                       _source_texte(sources.get("insee_communes"))))
    if d.ftth is not None:
        series = _series_datees(d, groupes)
        if series:
            titre_serie = "Locaux raccordables à la fibre (FttH), par trimestre"
            images.append((titre_serie, graphique_serie_png(series, titre_serie, suffixe=" %",
                                                            source_texte=_source_texte(sources.get("arcep_ftth")),
                                                            demo=demo), _source_texte(sources.get("arcep_ftth"))))
    affiche = tableau_affiche(tableau, dict(sources))
    return ContenuRapport(
        titre=titre, perimetre=focus, chiffres=chiffres, images=images,
        tableaux=[("Indicateurs comparés", affiche)],
        provenances=[p for p in sources.values() if p is not None],
        precautions=[*PRECAUTIONS_GENERALES, *PRECAUTIONS_SPECIFIQUES], demo=demo,
    )


def _series_datees(d: fiche.DonneesFiche, groupes: Mapping[str, list[str]]) -> dict[str, pd.Series]:
    from dashboard.indicateurs import deploiement

    resultat = {}
    for nom, codes in groupes.items():
        taux = deploiement.taux_ftth(deploiement.agreger_perimetre(d.ftth, set(codes), nom))
        resultat[nom] = pd.Series((taux["taux_ftth"].astype("float") * 100).to_numpy(),
                                  index=pd.to_datetime(taux["date"]))
    return resultat
