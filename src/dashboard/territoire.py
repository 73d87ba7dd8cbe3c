"""The territory is configuration: ``data/territoire.toml`` names its EPCI.

Why: the Pays de Lorient is the default, not an assumption baked into code. Another
French territory works by editing that file and rebuilding the reference geography.
Scopes (« périmètres ») follow from it: the whole territory, one EPCI, one commune.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from dashboard.erreurs import ErreurConfiguration

RE_SIREN = re.compile(r"^\d{9}$")
RE_CODE_INSEE = re.compile(r"^(?:[013-9]\d|2[AB1-9])\d{3}$")
PERIMETRE_TERRITOIRE = "pays"


@dataclass(frozen=True)
class Epci:
    siren: str
    nom: str
    communes_attendues: int | None = None


@dataclass(frozen=True)
class Territoire:
    """The configured territory and its comparison territories."""

    nom: str
    identifiant: str
    departement: str
    nom_departement: str
    region: str
    nom_region: str
    emprise: tuple[float, float, float, float]
    epci: tuple[Epci, ...]
    comparaisons: tuple[Epci, ...] = ()
    complement: str = ""  # « du Pays de Lorient »: the name after « de », article included

    @property
    def sirens(self) -> tuple[str, ...]:
        return tuple(e.siren for e in self.epci)

    def epci_par_siren(self, siren: str) -> Epci:
        for e in self.epci:
            if e.siren == siren:
                return e
        raise ErreurConfiguration(f"l'EPCI {siren} ne fait pas partie du territoire {self.nom}")


@dataclass(frozen=True)
class Perimetre:
    """A scope: ``pays`` (whole territory), ``epci`` (one SIREN) or ``commune`` (one INSEE code)."""

    niveau: str
    code: str
    libelle: str
    complement: str = ""  # « du Pays de Lorient », « de Lorient Agglomération », « d'Hennebont »

    @property
    def de(self) -> str:
        return self.complement or f"de {self.libelle}"

    @property
    def parametre(self) -> str:
        """The value written in the URL query parameter ``perimetre``."""
        return PERIMETRE_TERRITOIRE if self.niveau == "pays" else self.code


def _texte(section: dict, cle: str, fichier: str) -> str:
    valeur = section.get(cle)
    if not isinstance(valeur, str) or not valeur.strip():
        raise ErreurConfiguration(
            f"la clé « {cle} » est absente ou vide",
            fichier=fichier,
            conseil="ajoutez-la sous forme de texte entre guillemets",
        )
    return valeur.strip()


def _lire_epci(entrees: object, fichier: str, section: str) -> tuple[Epci, ...]:
    if not isinstance(entrees, list):
        raise ErreurConfiguration(
            f"la section [[{section}]] doit être une liste", fichier=fichier
        )
    resultat = []
    for i, entree in enumerate(entrees, start=1):
        siren = str(entree.get("siren", "")).strip()
        if not RE_SIREN.match(siren):
            raise ErreurConfiguration(
                f"[[{section}]] n°{i} : SIREN « {siren} » invalide (9 chiffres attendus)",
                fichier=fichier,
                colonne="siren",
                conseil="le SIREN d'un EPCI se trouve sur geo.api.gouv.fr/epcis ou BANATIC",
            )
        attendues = entree.get("communes_attendues")
        resultat.append(
            Epci(siren=siren, nom=_texte(entree, "nom", fichier), communes_attendues=attendues)
        )
    return tuple(resultat)


def charger_territoire(chemin: Path) -> Territoire:
    """Read and validate the territory file; raise :class:`ErreurConfiguration` in French."""
    nom_fichier = chemin.name
    try:
        brut = tomllib.loads(chemin.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ErreurConfiguration(
            "fichier de configuration du territoire introuvable",
            fichier=str(chemin),
            conseil="restaurez data/territoire.toml depuis le dépôt",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 only puts the position in the message: "(at line 15, column 7)".
        position = re.search(r"at line (\d+), column (\d+)", str(exc))
        raise ErreurConfiguration(
            f"syntaxe TOML invalide ({re.sub(r' [(]at line .*[)]', '', str(exc))}"
            + (f", caractère {position.group(2)}" if position else "") + ")",
            fichier=nom_fichier,
            ligne=int(position.group(1)) if position else None,
        ) from exc
    section = brut.get("territoire") or {}
    epci = _lire_epci(brut.get("epci", []), nom_fichier, "epci")
    if not epci:
        raise ErreurConfiguration(
            "aucun EPCI déclaré", fichier=nom_fichier, conseil="ajoutez au moins une section [[epci]]"
        )
    emprise = tuple(float(v) for v in section.get("emprise", (-180.0, -90.0, 180.0, 90.0)))
    if len(emprise) != 4:
        raise ErreurConfiguration("« emprise » doit compter 4 nombres", fichier=nom_fichier)
    return Territoire(
        nom=_texte(section, "nom", nom_fichier),
        identifiant=_texte(section, "identifiant", nom_fichier),
        departement=_texte(section, "departement", nom_fichier),
        nom_departement=_texte(section, "nom_departement", nom_fichier),
        region=_texte(section, "region", nom_fichier),
        nom_region=_texte(section, "nom_region", nom_fichier),
        emprise=emprise,  # type: ignore[arg-type]
        epci=epci,
        comparaisons=_lire_epci(brut.get("comparaison", []), nom_fichier, "comparaison"),
        complement=str(section.get("complement") or f"de {section.get('nom', '')}").strip(),
    )


def perimetres(territoire: Territoire, communes: list[tuple[str, str]]) -> list[Perimetre]:
    """All scopes in display order: territory, each EPCI, then each commune (by name).

    ``communes`` is a list of ``(code_insee, nom)`` from the reference geography.
    """
    from dashboard.formats import de

    liste = [Perimetre("pays", PERIMETRE_TERRITOIRE, f"{territoire.nom} (ensemble)", territoire.complement)]
    liste += [Perimetre("epci", e.siren, e.nom, de(e.nom)) for e in territoire.epci]
    liste += [
        Perimetre("commune", code, nom, de(nom))
        for code, nom in sorted(communes, key=lambda c: _cle_tri(c[1]))
    ]
    return liste


def _cle_tri(nom: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode().casefold()


def resoudre_perimetre(valeur: str | None, disponibles: list[Perimetre]) -> Perimetre:
    """Find the scope named in a URL parameter; raise a French error if it is unknown."""
    if valeur is None or valeur == "":
        return disponibles[0]
    for p in disponibles:
        if p.parametre == valeur:
            return p
    raise ErreurConfiguration(
        f"périmètre « {valeur[:40]} » inconnu",
        colonne="perimetre",
        conseil="utilisez « pays », le SIREN d'un EPCI du territoire ou le code INSEE d'une de ses communes",
    )
