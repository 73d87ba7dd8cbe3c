"""A minimal source in the official style, to test the store and refresh without real data."""

from __future__ import annotations

import pandas as pd

from dashboard import formats
from dashboard.sources.base import Colonne, Contexte, Fichier, Resultat, Source, typer
from dashboard.sources.lecture import convertir_codes_insee, convertir_nombres, lire_csv


class SourceFactice(Source):
    identifiant = "factice"
    titre = "Source factice de test"
    producteur = "Tests"
    licence = "Licence Ouverte 2.0"
    page = "https://example.invalid/page"
    fichiers = (Fichier("valeurs.csv", "http://127.0.0.1:9/valeurs.csv"),)
    colonnes = (
        Colonne("code_insee", "texte", "code INSEE"),
        Colonne("valeur", "entier", "une valeur", "locaux", nullable=True),
        Colonne("date", "texte", "date des données"),
    )

    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        table = lire_csv(fichiers["valeurs.csv"], "valeurs.csv", separateur=";",
                         colonnes_requises=("code_insee", "valeur", "date"))
        frame = pd.DataFrame({
            "code_insee": convertir_codes_insee(table),
            "valeur": convertir_nombres(table, "valeur"),
            "date": table.frame["date"],
        })
        date = frame["date"].max()
        return Resultat(typer(frame, self.colonnes), date, formats.trimestre(date), len(frame),
                        avertissements=table.avertissements)


def csv_factice(date: str = "2026-03-31", n: int = 3, valeur: int = 10) -> bytes:
    lignes = ["code_insee;valeur;date"] + [f"56{121 + i:03d};{valeur + i};{date}" for i in range(n)]
    return ("\n".join(lignes) + "\n").encode("utf-8")
