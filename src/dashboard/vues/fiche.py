"""The commune profile in words: formatted values and a factual French paragraph with sources."""

from __future__ import annotations

import pandas as pd

from dashboard import formats
from dashboard.vues.provenance import Provenance


def formater(valeur: object, unite: str) -> str:
    """A value of :mod:`dashboard.indicateurs.fiche` in French, by unit; ``n.d.`` when unknown."""
    if valeur is None or (not isinstance(valeur, str) and pd.isna(valeur)):
        return formats.NON_DISPONIBLE
    if unite == "part":
        return formats.pourcentage(float(valeur))
    if unite == "km²":
        return formats.superficie(float(valeur))
    if unite == "hab./km²":
        return formats.densite(float(valeur))
    if unite in ("score", "pour 10 000 hab."):
        return formats.nombre(float(valeur), 1)
    if unite == "trimestre":
        return str(valeur)
    return formats.nombre(float(valeur))


def tableau_affiche(tableau: pd.DataFrame, sources: dict[str, Provenance]) -> pd.DataFrame:
    """Formatted copy for display: one text column per scope, plus the source and its edition."""
    portees = [c for c in tableau.columns if c not in ("indicateur", "libelle", "unite", "source")]
    affiche = pd.DataFrame({"Indicateur": tableau["libelle"]})
    for nom in portees:
        affiche[nom] = [formater(v, u) for v, u in zip(tableau[nom], tableau["unite"], strict=True)]
    affiche["Source (édition)"] = [_source_courte(sources.get(s)) for s in tableau["source"]]
    return affiche


def _source_courte(p: Provenance | None) -> str:
    if p is None:
        return "source non chargée"
    texte = f"{p.titre_court()} ({p.edition_courte()})"
    return texte + " — démonstration" if p.demo else texte


def paragraphe(tableau: pd.DataFrame, commune: str, territoire: str, de_territoire: str,
               sources: dict[str, Provenance]) -> tuple[str, list[str]]:
    """A factual paragraph about ``commune`` (its column) vs ``territoire`` (its column), and the
    numbered source notes it cites: every number carries a ``[n]`` pointing to its source."""
    valeurs = tableau.set_index("indicateur")
    notes: list[str] = []

    def note(source: str) -> str:
        p = sources.get(source)
        texte = p.texte() if p else f"{source} (source non chargée)"
        if texte not in notes:
            notes.append(texte)
        return f"[{notes.index(texte) + 1}]"

    def v(indicateur: str, colonne: str) -> str:
        return formater(valeurs.loc[indicateur, colonne], valeurs.loc[indicateur, "unite"])

    def connu(indicateur: str, colonne: str) -> bool:
        x = valeurs.loc[indicateur, colonne]
        return x is not None and (isinstance(x, str) or not pd.isna(x))

    phrases = []
    if connu("population", commune):
        phrases.append(f"{commune} compte {v('population', commune)} habitants {note('reference')} "
                       f"sur {v('superficie', commune)}.")
    if connu("taux_ftth", commune):
        p = sources.get("arcep_ftth")
        quand = f"Au {p.edition_courte().split(' (')[0]}, " if p else ""
        phrase = f"{quand}{v('taux_ftth', commune)} des locaux de {commune} sont raccordables à la fibre " \
                 f"{note('arcep_ftth')}"
        if connu("taux_ftth", territoire):
            phrase += f", contre {v('taux_ftth', territoire)} {formats.sur(de_territoire)}"
        phrases.append(phrase + ".")
    if connu("part_sans_thd", commune):
        phrases.append(f"{v('part_sans_thd', commune)} des locaux n'ont pas d'offre filaire d'au moins 30 Mbit/s "
                       f"{note('arcep_mci')} (zones blanches du très haut débit).")
    if connu("illectronisme", commune):
        phrases.append(f"L'illectronisme y est estimé à {v('illectronisme', commune)} des 15 ans et plus "
                       f"{note('insee_communes')} (taux nationaux par âge appliqués à la population locale).")
    if connu("nb_lieux", commune):
        phrases.append(f"La commune accueille {v('nb_lieux', commune)} lieu(x) d'aide numérique {note('lieux')}.")
    return " ".join(phrases), notes
