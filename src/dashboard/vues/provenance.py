"""French provenance lines: source, edition/date and licence of every figure shown."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard import formats


@dataclass(frozen=True)
class Provenance:
    source: str
    titre: str
    producteur: str
    edition: str
    licence: str
    url: str
    demo: bool
    recupere_le: str | None = None
    edition_abregee: str | None = None

    def titre_court(self) -> str:
        """The title without its parenthesised detail: « Géographie de référence »."""
        return self.titre.split(" (")[0]

    def edition_courte(self) -> str:
        """The edition label, shortened for the sidebar."""
        texte = self.edition_abregee or self.edition
        return texte if len(texte) <= 60 else texte[:59] + "…"

    def texte(self) -> str:
        """« Titre — producteur — édition … — licence » (+ a demonstration notice)."""
        morceaux = [self.titre, self.producteur, f"édition : {self.edition}", self.licence]
        if self.recupere_le:
            morceaux.insert(3, f"récupérée le {formats.date_longue(self.recupere_le)}")
        texte = " — ".join(m for m in morceaux if m)
        if self.demo:
            texte = "DONNÉES DE DÉMONSTRATION (générées, non officielles) — " + texte
        return texte


def combiner(source: str, titre: str, provenances: list[Provenance]) -> Provenance | None:
    """One provenance standing for several datasets (e.g. « lieux d'aide » = France services +
    médiation): editions and licences listed, demonstration if any part is."""
    if not provenances:
        return None
    return Provenance(
        source=source,
        titre=titre,
        producteur=" ; ".join(f"{p.titre_court()} ({p.producteur})" for p in provenances),
        edition=" ; ".join(p.edition for p in provenances),
        licence=" ; ".join(sorted({p.licence for p in provenances})),
        url=provenances[0].url,
        demo=any(p.demo for p in provenances),
        edition_abregee=" ; ".join(p.edition_courte() for p in provenances),
    )


def provenance_reference(manifeste: dict) -> Provenance:
    """From ``data/reference/manifest.json``."""
    edition = manifeste.get("millesime_population") or manifeste.get("libelle_edition", "")
    return Provenance(
        source="reference",
        titre="Géographie de référence (communes, EPCI, population municipale, superficie)",
        producteur=manifeste.get("producteur", ""),
        edition=edition,
        licence=manifeste.get("licence", ""),
        url=manifeste.get("url", ""),
        demo=bool(manifeste.get("demo", False)),
        recupere_le=manifeste.get("genere_le"),
        edition_abregee=manifeste.get("libelle_edition"),
    )


def provenance_instantane(manifeste: dict) -> Provenance:
    """From a store edition's ``manifest.json``."""
    return Provenance(
        source=manifeste.get("source", ""),
        titre=manifeste.get("titre", ""),
        producteur=manifeste.get("producteur", ""),
        edition=manifeste.get("libelle_edition", manifeste.get("edition", "")),
        licence=manifeste.get("licence", ""),
        url=manifeste.get("page") or manifeste.get("url", ""),
        demo=bool(manifeste.get("demo", False)),
        recupere_le=manifeste.get("retrieved_at"),
    )
