"""Disk cache of compiled Jinja templates (launcher): same rendering, read back, safe on bad input."""

from __future__ import annotations

import os
import subprocess
import sys

import jinja2
import pytest

from dashboard import cache_gabarits

SOURCE = "{% macro ligne(nom) %}<b>{{ nom|upper }}</b>{% endmacro %}{{ ligne(commune) }} ({{ n }})"


@pytest.fixture
def compilations(monkeypatch):
    """Sources that Jinja's own compiler actually compiles."""
    sources = []
    origine = jinja2.Environment.compile

    def espion(self, source, *args, **kwargs):
        sources.append(source)
        return origine(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", espion)
    return sources


@pytest.fixture
def cache(tmp_path, compilations):
    dossier = tmp_path / "gabarits"
    assert cache_gabarits.installer(dossier)
    yield dossier
    cache_gabarits.desinstaller()


def _entrees(dossier):
    return sorted(p for p in dossier.iterdir() if not p.name.startswith("."))


def test_meme_rendu_et_relu_depuis_le_disque(cache, compilations):
    attendu = "<b>GÂVRES</b> (675)"
    assert jinja2.Template(SOURCE).render(commune="Gâvres", n=675) == attendu
    assert len(_entrees(cache)) == 1
    # Same source again: read back from the disk, Jinja's compiler not called a second time.
    assert jinja2.Template(SOURCE).render(commune="Gâvres", n=675) == attendu
    assert compilations.count(SOURCE) == 1


def test_une_source_differente_une_autre_entree(cache):
    jinja2.Template("{{ a }}").render(a=1)
    jinja2.Template("{{ b }}").render(b=2)
    assert len(_entrees(cache)) == 2
    # Other syntax settings compile to other code: other key.
    assert jinja2.Template("<< a >>", variable_start_string="<<", variable_end_string=">>").render(a=3) == "3"
    assert len(_entrees(cache)) == 3


def test_entree_corrompue_recompilee(cache, compilations):
    jinja2.Template(SOURCE).render(commune="x", n=1)
    (entree,) = _entrees(cache)
    for corrompu in (b"\x00pas du code", b"", entree.read_bytes()[:20]):
        entree.write_bytes(corrompu)
        assert jinja2.Template(SOURCE).render(commune="Groix", n=2263) == "<b>GROIX</b> (2263)"
        assert entree.read_bytes() != corrompu  # rewritten
    assert compilations.count(SOURCE) == 4


def test_environnement_propre_non_mis_en_cache(cache):
    environnement = jinja2.Environment(autoescape=True)
    assert environnement.from_string("{{ x }}").render(x="<i>") == "&lt;i&gt;"
    assert _entrees(cache) == []


def test_dossier_impossible_a_creer(tmp_path):
    fichier = tmp_path / "fichier"
    fichier.write_text("x", encoding="utf-8")
    origine = jinja2.Environment.compile
    assert cache_gabarits.installer(fichier / "gabarits") is False
    assert jinja2.Environment.compile is origine


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="droits POSIX")
def test_dossier_ouvert_aux_autres_refuse(tmp_path, caplog):
    dossier = tmp_path / "partage"
    dossier.mkdir()
    dossier.chmod(0o777)
    origine = jinja2.Environment.compile
    assert cache_gabarits.installer(dossier) is False
    assert jinja2.Environment.compile is origine
    assert "n'appartient pas au seul utilisateur" in caplog.text


def test_installer_deux_fois_ne_double_pas(cache, compilations):
    origine = jinja2.Environment.compile.compilation_d_origine
    cache_gabarits.installer(cache)
    assert jinja2.Environment.compile.compilation_d_origine is origine
    jinja2.Template("{{ z }}").render(z=0)
    assert compilations.count("{{ z }}") == 1
    cache_gabarits.desinstaller()
    assert jinja2.Environment.compile is origine


# A small folium map rendered in a fresh interpreter (random element ids replaced by « ID »).
RENDU_CARTE = (
    "import folium, re\n"
    "def rendu():\n"
    "    carte = folium.Map(location=[47.75, -3.37], zoom_start=10, tiles=None)\n"
    "    folium.GeoJson({'type': 'FeatureCollection', 'features': []}, name='Communes').add_to(carte)\n"
    "    folium.Marker([47.75, -3.37], tooltip='Lorient').add_to(carte)\n"
    "    return re.sub(r'[0-9a-f]{32}', 'ID', carte.get_root().render())\n"
)


def test_carte_folium_identique_avec_et_sans_cache(tmp_path):
    # In fresh interpreters (folium compiles its templates at import): cold cache, warm cache, none.
    code = (
        "import sys\n"
        "from dashboard import cache_gabarits\n"
        "if sys.argv[1] != '-': cache_gabarits.installer(__import__('pathlib').Path(sys.argv[1]))\n"
        + RENDU_CARTE + "print(rendu())\n"
    )
    dossier = tmp_path / "gabarits"
    rendus = [subprocess.run([sys.executable, "-c", code, argument], capture_output=True, text=True, check=True,
                             timeout=120).stdout for argument in (str(dossier), str(dossier), "-")]
    assert "Lorient" in rendus[0]
    assert rendus[0] == rendus[1] == rendus[2]
    assert len(_entrees(dossier)) > 50  # folium's and branca's templates


def test_actif_le_temps_d_un_bloc(tmp_path, compilations):
    origine = jinja2.Environment.compile
    with cache_gabarits.actif(tmp_path / "g") as installe:
        assert installe and jinja2.Environment.compile is not origine
        jinja2.Template("{{ y }}").render(y=1)
    assert jinja2.Environment.compile is origine
    assert len(_entrees(tmp_path / "g")) == 1


def test_dossier_trop_plein_vide(tmp_path, monkeypatch):
    dossier = tmp_path / "g"
    dossier.mkdir(mode=0o700)
    for i in range(5):
        (dossier / f"ancienne{i}").write_bytes(b"x")
    monkeypatch.setattr(cache_gabarits, "ENTREES_MAX", 3)
    with cache_gabarits.actif(dossier):
        jinja2.Template("{{ w }}").render(w=1)
    assert len(_entrees(dossier)) == 1  # the old entries are gone, the new one is there
    monkeypatch.setattr(cache_gabarits, "ENTREES_MAX", 10)
    with cache_gabarits.actif(dossier):
        pass
    assert len(_entrees(dossier)) == 1


@pytest.fixture
def memoire(compilations):
    store = cache_gabarits.installer_memoire(entrees=2)
    yield store
    cache_gabarits.desinstaller()


def test_memoire_meme_rendu_une_seule_compilation(memoire, compilations):
    # branca compiles each rendered element again as a template: the same output at the next
    # script run is not compiled twice.
    premier = jinja2.Template(SOURCE).render(commune="Lorient", n=1)
    second = jinja2.Template(SOURCE).render(commune="Lorient", n=1)
    assert compilations.count(SOURCE) == 1 and len(memoire) == 1
    # (an environment of its own is never served from memory: compiled here by Jinja itself)
    assert premier == second == jinja2.Environment().from_string(SOURCE).render(commune="Lorient", n=1)  # noqa: S701
    assert cache_gabarits.installer_memoire() is memoire  # idempotent


def test_memoire_bornee_la_plus_ancienne_oubliee(memoire, compilations):
    for source in ("{{ a }}", "{{ b }}", "{{ c }}"):
        jinja2.Template(source)
    assert len(memoire) == 2
    jinja2.Template("{{ c }}")
    jinja2.Template("{{ a }}")  # dropped first, compiled again
    assert compilations.count("{{ a }}") == 2 and compilations.count("{{ c }}") == 1


def test_memoire_pas_pour_un_environnement_propre(memoire, compilations):
    jinja2.Environment(autoescape=True).from_string("{{ x }}")
    jinja2.Environment(autoescape=True).from_string("{{ x }}")
    assert compilations.count("{{ x }}") == 2 and not memoire


def test_carte_folium_identique_avec_la_memoire():
    # A map rendered twice with the memory store (second render from memory) and once without.
    code = (
        "from dashboard import cache_gabarits\n"
        + RENDU_CARTE +
        "sans = rendu()\n"
        "memoire = cache_gabarits.installer_memoire()\n"
        "avec = [rendu(), rendu()]\n"
        "print(sans == avec[0] == avec[1], 'Lorient' in sans, len(memoire) > 0)\n"
    )
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert sortie.stdout.split() == ["True", "True", "True"]
