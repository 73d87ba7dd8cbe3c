"""The one escaping function: every payload of the reliability plan becomes inert text."""

import html

import pytest

from dashboard.vues.securite import lien_sur, nettoyer_texte, safe_html

CHARGES = [
    "<img src=x onerror=alert(1)>",
    "\"'><svg onload=alert(1)>",
    "</script><script>alert(2)</script>",
    "${alert(3)}",
    "`+alert(4)+`",
    "\\u0041",
    "javascript:alert(5)",
    "![t](https://tracker.invalid/p.png)",
    "[Cliquez](https://phish.invalid)",
    '<a href="https://phish.invalid">x</a>',
]


@pytest.mark.parametrize("charge", CHARGES)
def test_charges_inertes(charge):
    sortie = safe_html(charge)
    for dangereux in ("<", ">", "`", "$", "\\", '"', "'"):
        assert dangereux not in sortie
    assert html.unescape(sortie) == charge  # the browser shows the literal text


def test_none_et_nombres():
    assert safe_html(None) == ""
    assert safe_html(12) == "12"


def test_caracteres_invisibles_et_longueur():
    assert nettoyer_texte("Lo\u202erient\u200b") == "Lorient"
    assert len(nettoyer_texte("x" * 500)) == 200


@pytest.mark.parametrize(
    ("url", "attendu"),
    [
        ("https://www.lorient-agglo.bzh", "https://www.lorient-agglo.bzh"),
        ("http://exemple.fr/a?b=1", "http://exemple.fr/a?b=1"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("https://ok.fr;javascript:alert(1)", None),
        ("//sans-schema.fr", None),
        ("https://a.fr/\" onmouseover=\"x", None),
    ],
)
def test_liens_http_seulement(url, attendu):
    assert lien_sur(url) == attendu
