"""Page state kept in the URL query parameters, so a link restores the same view.

Each widget reads its initial value from ``st.query_params`` (ignoring unknown values
with a French notice) and writes its value back after every change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st


def _initial(cle: str, options: Sequence[str], defaut: str) -> str:
    demande = st.query_params.get(cle)
    if demande is None or demande in options:
        return demande or defaut
    st.warning(f"Paramètre « {cle} » : valeur « {demande[:40]} » inconnue, valeur par défaut utilisée.")
    return defaut


def _ecrire(cle: str, valeur: str | None) -> None:
    if valeur is None:
        st.query_params.pop(cle, None)
    elif st.query_params.get(cle) != valeur:
        st.query_params[cle] = valeur


def choix(conteneur, libelle: str, options: Sequence[str], cle: str, format_func: Callable[[str], str],
          *, defaut: str | None = None, disabled: bool = False, aide: str | None = None) -> str:
    """A selectbox bound to the URL parameter ``cle``."""
    options = list(options)
    initial = _initial(cle, options, defaut or options[0])
    valeur = conteneur.selectbox(libelle, options, index=options.index(initial), format_func=format_func,
                                 key=f"url_{cle}", disabled=disabled, help=aide)
    _ecrire(cle, valeur)
    return valeur


def boutons(conteneur, libelle: str, options: Sequence[str], cle: str, format_func: Callable[[str], str],
            *, defaut: str | None = None) -> str:
    """Horizontal radio buttons bound to the URL parameter ``cle``."""
    options = list(options)
    initial = _initial(cle, options, defaut or options[0])
    valeur = conteneur.radio(libelle, options, index=options.index(initial), format_func=format_func,
                             horizontal=True, key=f"url_{cle}")
    _ecrire(cle, valeur)
    return valeur


def curseur(conteneur, libelle: str, options: Sequence[str], cle: str, *, disabled: bool = False,
            aide: str | None = None) -> str | None:
    """A select_slider bound to ``cle`` (defaults to the last option, the newest quarter)."""
    options = list(options)
    if not options:
        return None
    initial = _initial(cle, options, options[-1])
    if len(options) == 1:
        conteneur.caption(f"{libelle} : {options[0]}")
        return options[0]
    valeur = conteneur.select_slider(libelle, options, value=initial, key=f"url_{cle}", disabled=disabled,
                                     help=aide)
    _ecrire(cle, valeur)
    return valeur


def commune_selectionnee(codes: Sequence[str]) -> str | None:
    """The commune chosen by a click on the map (URL parameter ``commune``)."""
    code = st.query_params.get("commune")
    return code if code in codes else None


def selectionner_commune(code: str | None) -> None:
    """Store a clicked commune in the URL and rerun so every chart follows."""
    if code and st.query_params.get("commune") != code:
        st.query_params["commune"] = code
        st.rerun()


def interrupteur(conteneur, libelle: str, cle: str, *, aide: str | None = None) -> bool:
    """A toggle bound to ``cle``: ``?cle=oui`` when on, parameter absent when off (the default)."""
    initial = _initial(cle, ["oui", "non"], "non") == "oui"
    valeur = conteneur.toggle(libelle, value=initial, key=f"url_{cle}", help=aide)
    _ecrire(cle, "oui" if valeur else None)
    return valeur
