"""Charts and sentences of the « Couverture » page (pure builders, testable without a browser)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import formats
from dashboard.indicateurs.couverture import TECHNOLOGIES
from dashboard.indicateurs.deploiement import fin_du_trimestre
from dashboard.indicateurs.synthese_couverture import IndicateurCouverture
from dashboard.vues.graphiques import (
    COULEUR_OBJECTIF,
    COULEUR_PRINCIPALE,
    COULEUR_SELECTION,
    PALETTE_CATEGORIES,
    libelle_sur,
    mise_en_forme,
)


def figure_classement(valeurs: pd.DataFrame, noms: pd.Series, indicateur: IndicateurCouverture,
                      selection: str | None = None) -> go.Figure:
    """Horizontal bars, one per commune, worst first for « need » indicators.

    ``valeurs``: ``code``, ``valeur`` (share), ``nombre``, ``base``; ``noms``: code → name.
    Communes without data are listed at the end with the mention « n.d. ».
    """
    tableau = valeurs.assign(nom=valeurs["code"].map(noms).map(libelle_sur))
    tableau = tableau.sort_values("valeur", ascending=not indicateur.besoin, na_position="last")
    tableau = tableau.iloc[::-1]  # plotly draws bottom-up
    couleurs = [COULEUR_SELECTION if c == selection else COULEUR_PRINCIPALE for c in tableau["code"]]
    texte = [formats.pourcentage(v) for v in tableau["valeur"]]
    survol = [
        f"{n}<br>{formats.pourcentage(v)} — {formats.nombre(k)} {indicateur.nombre_libelle} "
        f"sur {formats.nombre(b)} locaux"
        for n, v, k, b in zip(tableau["nom"], tableau["valeur"], tableau["nombre"], tableau["base"], strict=True)
    ]
    fig = go.Figure(go.Bar(
        x=(tableau["valeur"].astype("float") * 100).fillna(0), y=tableau["nom"], orientation="h",
        marker_color=couleurs, text=texte, textposition="outside", cliponaxis=False,
        hovertext=survol, hoverinfo="text", name=indicateur.libelle,
    ))
    maximum = float(tableau["valeur"].astype("float").max() or 0) * 100
    fig.update_xaxes(ticksuffix="\u00a0%", range=[0, max(maximum * 1.18, 1)])
    return mise_en_forme(fig, "Classement des communes",
                         hauteur=max(300, 22 * len(tableau) + 80))


def figure_meilleure_techno(longue: pd.DataFrame, noms: pd.Series) -> go.Figure:
    """100 % stacked bars: each local counted once under its best technology (ARCEP)."""
    tableau = longue.assign(nom=longue["code"].map(noms).fillna(longue["code"]).map(libelle_sur))
    ordre = (tableau[tableau["technologie"] == "elig_ftth"].sort_values("part")["nom"].tolist())
    fig = go.Figure()
    for (technologie, libelle), couleur in zip(TECHNOLOGIES, PALETTE_CATEGORIES, strict=True):
        sous = tableau[tableau["technologie"] == technologie].set_index("nom").reindex(ordre)
        fig.add_trace(go.Bar(
            x=(sous["part"].astype("float") * 100), y=ordre, orientation="h", name=libelle, marker_color=couleur,
            hovertext=[f"{n} — {libelle} : {formats.pourcentage(p)} ({formats.nombre(k)} locaux)"
                       for n, p, k in zip(ordre, sous["part"], sous["locaux"], strict=True)],
            hoverinfo="text",
        ))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(ticksuffix="\u00a0%", range=[0, 100])
    return mise_en_forme(fig, "Meilleure technologie disponible (chaque local compté une fois)",
                         hauteur=max(320, 22 * len(ordre) + 150))


def figure_serie_ftth(series: pd.DataFrame, echeances: list[tuple[str, str, float]],
                      projection: tuple[str, str, float] | None = None) -> go.Figure:
    """FttH rate per quarter for each named series, targets as markers, projection dashed.

    ``series``: ``serie``, ``trimestre``, ``date``, ``taux_ftth``; ``echeances``: (label,
    ISO date, share); ``projection``: (series name, quarter of 100 %, current share) or None.
    """
    fig = go.Figure()
    for i, (nom, groupe) in enumerate(series.groupby("serie", sort=False)):
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(groupe["date"]), y=groupe["taux_ftth"].astype("float") * 100, mode="lines+markers",
            name=libelle_sur(nom), line={"color": PALETTE_CATEGORIES[i % 8], "width": 3 if i == 0 else 2},
            hovertext=[f"{libelle_sur(nom)} — {t} : {formats.pourcentage(v)}"
                       for t, v in zip(groupe["trimestre"], groupe["taux_ftth"], strict=True)],
            hoverinfo="text",
        ))
    if projection is not None:
        nom, trimestre, actuel = projection
        dernier = series[series["serie"] == nom]["date"].max()
        fig.add_trace(go.Scatter(
            x=[pd.Timestamp(dernier), pd.Timestamp(fin_du_trimestre(trimestre))], y=[actuel * 100, 100],
            mode="lines", name=f"Projection au rythme des 4 derniers trimestres ({libelle_sur(nom)})",
            line={"dash": "dash", "color": PALETTE_CATEGORIES[0]}, hoverinfo="skip",
        ))
    for libelle, jour, cible in echeances:
        fig.add_trace(go.Scatter(
            x=[pd.Timestamp(jour)], y=[cible * 100], mode="markers", name=f"Objectif : {libelle}",
            marker={"symbol": "star", "size": 14, "color": COULEUR_OBJECTIF},
            hovertext=[f"{libelle} : {formats.pourcentage(cible, 0)} au {formats.date_longue(jour)}"],
            hoverinfo="text",
        ))
    fig.update_yaxes(ticksuffix="\u00a0%", range=[0, 105])
    return mise_en_forme(fig, "Locaux raccordables à la fibre (FttH), par trimestre", hauteur=420)


def phrase_couverture(indicateur: IndicateurCouverture, de_perimetre: str, ligne: pd.Series,
                      edition: str) -> str:
    """« T2 2026 : 0,8 % des locaux du Pays de Lorient — 1 018 locaux sans très haut débit sur 132 861 locaux. »

    ``de_perimetre`` is the scope after « de », article included (« du Pays de Lorient »).
    """
    if pd.isna(ligne["valeur"]):
        return f"{indicateur.libelle} : donnée non disponible pour les locaux {de_perimetre} ({edition})."
    return (
        f"{edition} : {formats.pourcentage(ligne['valeur'])} des locaux {de_perimetre} — "
        f"{formats.nombre(ligne['nombre'])} {indicateur.nombre_libelle} sur {formats.nombre(ligne['base'])} "
        "locaux."
    )


def groupes_series(noms: pd.Series, epci: pd.Series, perimetre, codes: list[str],
                   selection: str | None, nom_territoire: str) -> dict[str, list[str]]:
    """Which curves to draw: the selected commune, the scope, and the whole territory."""
    groupes: dict[str, list[str]] = {}
    if selection:
        groupes[str(noms[selection])] = [selection]
    if perimetre.niveau != "pays":
        groupes[perimetre.libelle] = codes
    groupes[nom_territoire] = list(noms.index)
    return groupes


def series_comparaison(ftth: pd.DataFrame, comparaisons: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """FttH rate of the comparison areas (name → (niveau, code)) present in the frame — only
    when a national file was loaded (the demonstration edition has none)."""
    from dashboard.indicateurs.deploiement import taux_ftth

    morceaux = []
    for nom, (niveau, code) in comparaisons.items():
        sous = ftth[(ftth["niveau"] == niveau) & (ftth["code"] == code)]
        if not sous.empty:
            morceaux.append(taux_ftth(sous).assign(serie=nom))
    colonnes = ["serie", "trimestre", "date", "taux_ftth", "locaux_raccordables", "locaux_base"]
    if not morceaux:
        return pd.DataFrame(columns=colonnes)
    return pd.concat(morceaux, ignore_index=True)[colonnes]


def figure_ftth_perimetre(ftth: pd.DataFrame, communes: pd.DataFrame, perimetre, codes: list[str],
                          selection: str | None, objectifs, nom_territoire: str,
                          comparaisons: dict[str, tuple[str, str]] | None = None) -> go.Figure:
    """The FttH series of the selection, the scope and the territory, with the fibre targets
    and the projection of the first series at the pace of the last 4 quarters."""
    from dashboard.indicateurs import synthese_couverture as sc

    noms = communes.set_index("code_insee")["nom"]
    groupes = groupes_series(noms, communes.set_index("code_insee")["siren_epci"], perimetre, codes,
                             selection, nom_territoire)
    series = pd.concat([sc.series_ftth(ftth, groupes), series_comparaison(ftth, comparaisons or {})],
                       ignore_index=True)
    premier, codes_premier = next(iter(groupes.items()))
    tendance = sc.projection_perimetre(ftth, codes_premier)
    projection = None
    quand = tendance["projection_100_pourcent"]
    if isinstance(quand, str) and quand.startswith("T") and not pd.isna(tendance["taux_ftth"]):
        projection = (premier, quand, float(tendance["taux_ftth"]))
    echeances = [(o.libelle if len(o.libelle) < 40 else o.programme, o.echeance, o.cible)
                 for o in objectifs if o.indicateur == "taux_ftth"]
    return figure_serie_ftth(series, echeances, projection)


def metriques_couverture(chiffres: dict) -> list[tuple[str, str, str]]:
    """(label, value, help) for the key-figure row of the page."""
    def part_et_nombre(ligne) -> str:
        if ligne is None or pd.isna(ligne["valeur"]):
            return formats.NON_DISPONIBLE
        return f"{formats.nombre(ligne['nombre'])} ({formats.pourcentage(ligne['valeur'])})"

    projection = chiffres["projection"]
    texte_projection = "déjà atteint" if projection is None and not pd.isna(chiffres["ftth"]["valeur"]) \
        else (projection or formats.NON_DISPONIBLE)
    return [
        ("Locaux sans très haut débit", part_et_nombre(chiffres["sans_thd"]),
         "Locaux sans offre d'au moins 30 Mbit/s sur les réseaux choisis (zones blanches THD)."),
        ("Locaux sans bon haut débit", part_et_nombre(chiffres["sans_bhd"]),
         "Locaux sans offre d'au moins 8 Mbit/s sur les réseaux choisis."),
        ("Raccordables à la fibre", formats.pourcentage(chiffres["ftth"]["valeur"]),
         "Locaux raccordables FttH / meilleure estimation des locaux (ARCEP), dernier trimestre."),
        ("100 % fibre projeté", str(texte_projection),
         "Extrapolation au rythme moyen des 4 derniers trimestres : une projection, pas une prévision."),
    ]
