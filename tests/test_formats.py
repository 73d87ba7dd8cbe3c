from datetime import date

import pandas as pd
import pytest

from dashboard import formats

NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("valeur", "decimales", "attendu"),
    [
        (12345, 0, f"12{NNBSP}345"),
        (1234567.891, 2, f"1{NNBSP}234{NNBSP}567,89"),
        (0, 0, "0"),
        (-0.04, 1, "0,0"),
        (-1500, 0, f"-1{NNBSP}500"),
        (999.5, 0, f"1{NNBSP}000"),
    ],
)
def test_nombre(valeur, decimales, attendu):
    assert formats.nombre(valeur, decimales) == attendu


@pytest.mark.parametrize("manquant", [None, float("nan"), pd.NA])
def test_valeurs_manquantes_jamais_zero(manquant):
    assert formats.nombre(manquant) == "n.d."
    assert formats.pourcentage(manquant) == "n.d."


def test_pourcentage():
    assert formats.pourcentage(0.875) == f"87,5{NBSP}%"
    assert formats.pourcentage(0.98931, 1) == f"98,9{NBSP}%"
    assert formats.pourcentage(1) == f"100,0{NBSP}%"


def test_unites():
    assert formats.superficie(857.72) == f"857,7{NBSP}km²"
    assert formats.densite(257.96) == f"258{NBSP}hab./km²"


def test_dates_et_trimestres():
    assert formats.date_longue("2026-06-30") == "30 juin 2026"
    assert formats.date_longue(date(2026, 8, 1)) == "1er août 2026"
    # A UTC timestamp is shown in Paris time (F-14): 23:00 UTC on 31 December is New Year's Day there.
    assert formats.date_longue("2026-12-31T23:00:00Z") == "1er janvier 2027"
    assert formats.date_longue("2026-12-31T22:59:00Z") == "31 décembre 2026"
    assert formats.trimestre("2026-06-30") == "T2 2026"
    assert formats.trimestre(date(2017, 12, 31)) == "T4 2017"
    assert formats.trimestre("2026-01-01") == "T1 2026"
