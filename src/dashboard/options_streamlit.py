"""Streamlit's configuration options read from a command line, as ``streamlit run`` reads them.

``streamlit run`` goes through ``click``: importing Streamlit's command line declares one click
option per configuration option (~370), then every option is looked for on the command line and
in its environment variable (``STREAMLIT_SERVER_PORT``…). About 0.05 s of CPU before the server
can even start listening, on the path of every start. The launcher (:mod:`dashboard.serveur`)
reads the same options here, with the same rules, and hands them to Streamlit's bootstrap as
``streamlit run`` does. Anything this reader does not handle exactly (``--help``, an unknown
option, a value of the wrong type, a positional argument, a secret option given on the command
line) makes :func:`lire_options` return ``None``: the launcher then goes through Streamlit's
command line, which answers as it always did.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

# click.BOOL's spellings.
_VRAI = {"1", "true", "t", "yes", "y", "on"}
_FAUX = {"0", "false", "f", "no", "n", "off"}


class _NonPrisEnCharge(Exception):
    """Left to Streamlit's command line."""


def _convertir(brut: str, type_: type) -> Any:
    if type_ is bool:
        valeur = brut.strip().lower()
        if valeur in _VRAI:
            return True
        if valeur in _FAUX:
            return False
        raise _NonPrisEnCharge(brut)
    if type_ in (int, float, str):
        try:
            return type_(brut)
        except ValueError as exc:
            raise _NonPrisEnCharge(brut) from exc
    raise _NonPrisEnCharge(type_)


def lire_options(arguments: Sequence[str], modeles: Mapping[str, Any],
                 environ: Mapping[str, str] = os.environ) -> dict[str, Any] | None:
    """The ``flag_options`` that ``streamlit run`` would pass to its bootstrap for ``arguments``
    (``--section.option valeur`` or ``--section.option=valeur``) and ``environ``, keys spelt as
    click spells them (``server_port``), only the options given (click gives every other one as
    ``None``, which the bootstrap skips). ``modeles``: Streamlit's option templates
    (``config._config_options_template``). ``None`` when the command line is not one of those
    this reader handles exactly (see the module doc)."""
    donnees: dict[str, list[str]] = {}
    restants = list(arguments)
    try:
        while restants:
            argument = restants.pop(0)
            if not argument.startswith("--") or argument == "--":
                raise _NonPrisEnCharge(argument)
            cle, egal, valeur = argument[2:].partition("=")
            modele = modeles.get(cle)
            if modele is None or modele.sensitive:
                raise _NonPrisEnCharge(cle)
            if not egal:
                if not restants:
                    raise _NonPrisEnCharge(cle)
                valeur = restants.pop(0)
            donnees.setdefault(cle, []).append(valeur)
        options: dict[str, Any] = {}
        for cle, modele in modeles.items():
            valeurs = donnees.get(cle)
            if valeurs is None:
                # click reads the option's variable, then the one the prefix of the ``run``
                # command makes of the option's name (``STREAMLIT_RUN_SERVER_FILEWATCHERTYPE``);
                # an empty variable is no value.
                noms = (modele.env_var, "STREAMLIT_RUN_" + cle.replace(".", "_").upper())
                brut = next((environ[n] for n in noms if environ.get(n)), None)
                if brut is None or modele.sensitive:
                    continue
                # A multiple option's variable is split on blanks, as click does.
                valeurs = brut.split() if modele.multiple else [brut]
                if not valeurs:
                    continue
            elif not modele.multiple and len(valeurs) > 1:
                valeurs = valeurs[-1:]  # click keeps the last one
            converties = [_convertir(v, modele.type) for v in valeurs]
            options[cle.replace(".", "_")] = tuple(converties) if modele.multiple else converties[0]
        return options
    except _NonPrisEnCharge:
        return None
