"""Dependency gate (plan §6.3, S-13): known vulnerabilities of the installed packages.

    .venv/bin/python scripts/audit_dependances.py      (run by ``make test`` before pytest)

Runs ``pip-audit --local -f json`` on the environment of this interpreter and decides:

* a vulnerability is reported for an installed package → the names, versions, advisory
  ids and fixed versions are printed and the exit code is 1 (the test command fails);
* the packages were checked and none is vulnerable → exit 0;
* the vulnerability service could not check most packages (no network, or a package
  mirror that does not serve the PyPI JSON API: pip-audit then « skips » each package as
  « not found on PyPI »), or pip-audit could not run at all → a French warning
  « audit des dépendances non réalisé : service de vulnérabilités injoignable
  (N paquets non vérifiés) » and exit 0. Nothing was verified, and the message says so:
  it is not reported as a clean audit. Run it again where PyPI is reachable.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

PART_MAX_NON_VERIFIES = 0.5  # above this share of skipped packages, the audit did not happen
DELAI_S = 600


@dataclass
class Bilan:
    """What a pip-audit JSON report says."""

    verifies: list[str] = field(default_factory=list)
    non_verifies: list[str] = field(default_factory=list)
    vulnerabilites: list[str] = field(default_factory=list)  # one French line per advisory


def analyser(rapport: dict) -> Bilan:
    """Sort the ``dependencies`` of a pip-audit report into checked, skipped and vulnerable."""
    bilan = Bilan()
    for paquet in rapport.get("dependencies", []):
        nom = f"{paquet.get('name')} {paquet.get('version', '')}".strip()
        if "skip_reason" in paquet:
            bilan.non_verifies.append(nom)
            continue
        bilan.verifies.append(nom)
        for vuln in paquet.get("vulns") or []:
            correctifs = ", ".join(vuln.get("fix_versions") or []) or "aucune version corrigée publiée"
            alias = f" ({', '.join(vuln['aliases'])})" if vuln.get("aliases") else ""
            bilan.vulnerabilites.append(f"{nom} : {vuln.get('id')}{alias} — corrigé dans : {correctifs}")
    return bilan


def decider(bilan: Bilan | None, nb_installes: int | None = None) -> tuple[int, list[str]]:
    """Exit code and French lines to print. ``bilan`` is None when pip-audit gave no report."""
    if bilan is None:
        nombre = nb_installes if nb_installes is not None else "?"
        return 0, [f"ATTENTION : audit des dépendances non réalisé : service de vulnérabilités injoignable "
                   f"({nombre} paquets non vérifiés)."]
    if bilan.vulnerabilites:
        return 1, [f"ÉCHEC : {len(bilan.vulnerabilites)} vulnérabilité(s) connue(s) dans les dépendances "
                   "installées — mettez à jour les versions épinglées :",
                   *(f"  - {ligne}" for ligne in bilan.vulnerabilites)]
    total = len(bilan.verifies) + len(bilan.non_verifies)
    if total == 0 or len(bilan.non_verifies) > PART_MAX_NON_VERIFIES * total:
        return 0, [f"ATTENTION : audit des dépendances non réalisé : service de vulnérabilités injoignable "
                   f"({len(bilan.non_verifies)} paquets non vérifiés). Ce n'est pas un audit réussi : "
                   f"{len(bilan.verifies)} paquet(s) vérifié(s) sur {total} ; relancez-le avec un accès à PyPI."]
    lignes = [f"Audit des dépendances : aucune vulnérabilité connue ({len(bilan.verifies)} paquets vérifiés)."]
    if bilan.non_verifies:
        lignes.append(f"  non vérifiés (absents de PyPI, par exemple le projet lui-même) : "
                      f"{', '.join(bilan.non_verifies)}")
    return 0, lignes


def lancer_pip_audit() -> tuple[dict | None, str]:
    """Run pip-audit on this interpreter's environment; (report or None, its stderr)."""
    commande = [sys.executable, "-m", "pip_audit", "--local", "-f", "json", "--progress-spinner", "off"]
    try:
        resultat = subprocess.run(commande, capture_output=True, text=True, timeout=DELAI_S, check=False)
    except subprocess.TimeoutExpired:
        return None, f"pip-audit n'a pas répondu en {DELAI_S} s"
    try:
        return json.loads(resultat.stdout), resultat.stderr
    except json.JSONDecodeError:
        return None, resultat.stderr


def nombre_installes() -> int:
    from importlib.metadata import distributions

    return len({d.metadata["Name"] for d in distributions()})


def main(executer: Callable[[], tuple[dict | None, str]] = lancer_pip_audit) -> int:
    try:
        import pip_audit  # noqa: F401  (only to say clearly when it is missing)
    except ImportError:
        print("ÉCHEC : pip-audit n'est pas installé — lancez `make install-test` "
              "(requirements-test.txt l'épingle).", file=sys.stderr)
        return 1
    rapport, erreurs = executer()
    bilan = analyser(rapport) if rapport is not None else None
    code, lignes = decider(bilan, nombre_installes() if bilan is None else None)
    for ligne in lignes:
        print(ligne, file=sys.stderr if code or ligne.startswith("ATTENTION") else sys.stdout)
    if bilan is None and erreurs.strip():
        print(f"  (pip-audit : {erreurs.strip().splitlines()[-1]})", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
