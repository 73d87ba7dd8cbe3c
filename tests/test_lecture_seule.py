"""F-08: a read-only data folder, seen by an unprivileged account.

Root ignores permission bits (``chmod 555`` does not stop it), so when the suite runs as
root these tests run their process as the ``nobody`` user. The project interpreter may
live where that user cannot read (pyenv under ``/root``): the system Python of the same
minor version is then used with the project's site-packages on ``PYTHONPATH``. If no
interpreter works for the unprivileged user, the tests are skipped and say why.

Expected: the app starts and serves the current snapshot; ``status`` works; ``import`` and
``refresh`` fail with one French sentence and exit code 1 (no traceback); nothing in the
folder changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from dashboard.demo.mediation_numerique import generer
from dashboard.sources.mediation_numerique import FICHIER
from tests.conftest import RACINE

UTILISATEUR = "nobody"
DELAI_S = 120


def _chemin_python() -> str:
    return os.pathsep.join([sysconfig.get_paths()["purelib"], str(RACINE / "src"), str(RACINE)])


def _preparer(commande: list[str], utilisateur: pwd.struct_passwd | None, env: dict) -> dict:
    options = {"cwd": RACINE, "env": env, "capture_output": True, "text": True, "timeout": DELAI_S}
    if utilisateur is not None:
        options.update(user=utilisateur.pw_uid, group=utilisateur.pw_gid, extra_groups=[])
    return options


@pytest.fixture(scope="module")
def sans_privileges(tmp_path_factory):
    """(run, home): ``run(args, env)`` runs ``python args…`` as an unprivileged account."""
    maison = Path(tempfile.mkdtemp(prefix="observatoire-non-root-"))
    maison.chmod(0o777)
    if os.geteuid() != 0:
        interpretes, utilisateur = [[sys.executable]], None
    else:
        try:
            utilisateur = pwd.getpwnam(UTILISATEUR)
        except KeyError:
            pytest.skip(f"compte « {UTILISATEUR} » absent : impossible de tester sans les droits root")
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        interpretes = [[sys.executable], [f"/usr/bin/python{version}", "-s"], [f"/usr/local/bin/python{version}", "-s"]]
    base = {"HOME": str(maison), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": _chemin_python(),
            "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8", "TZ": os.environ.get("TZ", "UTC")}
    echecs = []
    for interprete in interpretes:
        essai = [*interprete, "-c", "import pandas, dashboard, tests"]
        try:
            resultat = subprocess.run(essai, check=False, **_preparer(essai, utilisateur, base))
        except OSError as exc:
            echecs.append(f"{interprete[0]} : {exc}")
            continue
        if resultat.returncode == 0:
            break
        echecs.append(f"{interprete[0]} : {resultat.stderr.strip().splitlines()[-1:]}")
    else:
        pytest.skip("aucun interpréteur Python utilisable par un compte non privilégié "
                    f"(le test en lecture seule n'aurait aucun sens sous root) : {' ; '.join(echecs)}")

    def lancer(args: list[str], env: dict) -> subprocess.CompletedProcess:
        commande = interprete + args
        return subprocess.run(commande, check=False, **_preparer(commande, utilisateur, {**base, **env}))

    yield lancer
    shutil.rmtree(maison, ignore_errors=True)


def empreinte_dossier(dossier: Path) -> dict[str, str]:
    return {str(p.relative_to(dossier)): hashlib.sha256(p.read_bytes()).hexdigest() + f"/{p.stat().st_mtime_ns}"
            for p in sorted(dossier.rglob("*")) if p.is_file()}


def proteger(dossier: Path, ecriture: bool) -> None:
    for chemin in [dossier, *dossier.rglob("*")]:
        if chemin.is_dir():
            chemin.chmod(0o755 if ecriture else 0o555)
        else:
            chemin.chmod(0o644 if ecriture else 0o444)


@pytest.fixture(scope="module")
def donnees_lecture_seule(contexte):
    """A read-only copy of ``data/`` (every folder 555, every file 444) and a demonstration
    file of ``mediation_numerique`` readable by anyone, newer than the bundled edition."""
    racine = Path(tempfile.mkdtemp(prefix="observatoire-lecture-seule-"))
    racine.chmod(0o755)
    copie = racine / "data"
    shutil.copytree(RACINE / "data", copie)
    fichier = racine / FICHIER
    fichier.write_bytes(generer(contexte, 57)[FICHIER])
    fichier.chmod(0o444)
    proteger(copie, ecriture=False)
    yield copie, fichier
    proteger(copie, ecriture=True)
    shutil.rmtree(racine, ignore_errors=True)


def derniere_ligne_json(resultat: subprocess.CompletedProcess) -> dict:
    assert resultat.returncode == 0, resultat.stderr[-3000:]
    return json.loads(resultat.stdout.strip().splitlines()[-1])


def test_f08_cli_status_fonctionne_import_et_refresh_refuses_en_francais(sans_privileges, donnees_lecture_seule):
    copie, fichier = donnees_lecture_seule
    avant = empreinte_dossier(copie)
    resultat = sans_privileges(["-m", "tests.processus_lecture_seule", "cli", str(fichier)],
                               {"DASHBOARD_DATA_DIR": str(copie)})
    sorties = derniere_ligne_json(resultat)

    status = sorties["status"]
    assert status["code"] == 0, status
    bloc = status["sortie"][status["sortie"].index("- mediation_numerique"):]
    assert "état : à jour (dernière édition valide chargée)" in bloc
    assert "dernière édition valide : mise à jour du 20 octobre 2026 (DÉMONSTRATION), 34 lignes" in bloc

    message = (f"dossier des données non modifiable (Permission denied) : {copie}/snapshots/mediation_numerique"
               " — actualisation impossible avec ce compte (dossier en lecture seule ?) ; "
               "les données actuelles restent utilisées")
    assert sorties["import"]["code"] == 1
    assert sorties["import"]["erreur"] == f"Erreur : {message}\n"
    assert sorties["refresh"]["code"] == 1
    assert f"ÉCHEC : {message}" in sorties["refresh"]["erreur"]
    assert "Les dernières données valides restent utilisées." in sorties["refresh"]["erreur"]
    for commande in sorties.values():
        assert "Traceback" not in commande["erreur"] + commande["sortie"]
    assert empreinte_dossier(copie) == avant


def test_f08_application_demarre_et_sert_l_instantane(sans_privileges, donnees_lecture_seule):
    copie, _ = donnees_lecture_seule
    avant = empreinte_dossier(copie)
    resultat = sans_privileges(["-m", "tests.processus_lecture_seule", "app"], {"DASHBOARD_DATA_DIR": str(copie)})
    page = derniere_ligne_json(resultat)
    assert page["exceptions"] == [] and page["erreurs"] == []
    assert page["titres"] == ["Lieux d'aide et tiers-lieux"]
    assert page["infos"] == []  # every source of the page is served from the read-only snapshot
    pied = " ".join(page["legendes"])
    assert "Lieux de médiation numérique" in pied and "mise à jour du 20 octobre 2026" in pied
    assert "Liste des structures France services" in pied
    assert int(page["metriques"]["Lieux"]) > 0
    assert empreinte_dossier(copie) == avant


def test_f08_vraiment_sans_privileges(sans_privileges, donnees_lecture_seule):
    """The account really cannot write there (a root process would, and the tests would prove nothing)."""
    copie, _ = donnees_lecture_seule
    resultat = sans_privileges(
        ["-c", "import os, sys; p = sys.argv[1]\ntry:\n open(p, 'w')\nexcept PermissionError: print('refusé')",
         str(copie / "snapshots" / "essai")], {})
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.strip() == "refusé"
