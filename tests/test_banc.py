"""The benchmark's own logic (``bench/run.py``): verdicts on the targets, idle wait of Chromium."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from dashboard.chemins import RACINE_PROJET

pytest.importorskip("playwright", reason="dépendances de test absentes (make install-test)")


@pytest.fixture(scope="module")
def banc():
    spec = importlib.util.spec_from_file_location("banc_du_projet", RACINE_PROJET / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def synthese(banc, projet_s: float, naif_s: float) -> dict:
    vide = banc.resume([])
    valeurs = {cle: vide for _, cle, _ in banc.LIGNES_RAPPORT}
    return {
        "projet": valeurs | {"demarrage_total_s": banc.resume([projet_s])},
        "naif": valeurs | {"demarrage_total_s": banc.resume([naif_s])},
    }


@pytest.mark.parametrize(("projet_s", "naif_s", "attendu"), [
    (2.660, 3.977, "manquée"),   # 1,495× : shown to the thousandth, not rounded up to « 1,50× »
    (2.600, 3.900, "atteinte"),  # 1,500× exactly
    (3.050, 4.900, "manquée"),   # fast enough relative to the naive app, but over 3 s
    (2.500, 4.111, "atteinte"),
])
def test_verdict_de_a(banc, projet_s, naif_s, attendu):
    ligne = banc.verdicts(synthese(banc, projet_s, naif_s))[0]
    assert ligne.endswith(f"**{attendu}**")
    assert banc._x(naif_s / projet_s) in ligne


def test_rapport_a_trois_decimales(banc):
    assert banc._x(3.977 / 2.660) == "1,495×"
    assert banc._x(1.5) == "1,500×"


class NavigateurFactice:
    """Chromium's processes as ``SystemInfo.getProcessInfo`` reports them: CPU seconds in turn."""

    def __init__(self, temps_cpu: list[float]):
        self.temps_cpu = temps_cpu
        self.lectures = 0

    def new_browser_cdp_session(self):
        navigateur = self

        class Session:
            def send(self, methode):
                assert methode == "SystemInfo.getProcessInfo"
                valeur = navigateur.temps_cpu[min(navigateur.lectures, len(navigateur.temps_cpu) - 1)]
                navigateur.lectures += 1
                return {"processInfo": [{"type": "browser", "cpuTime": valeur * 0.3},
                                        {"type": "renderer", "cpuTime": valeur * 0.7}]}

            def detach(self):
                pass

        return Session()


def test_attend_que_chromium_soit_au_repos(banc):
    # Busy for three windows (a new context builds its own interface), then idle.
    navigateur = NavigateurFactice([1.0, 1.3, 1.6, 1.8, 1.805, 1.81])
    attente = banc.attendre_navigateur_au_repos(navigateur, fenetre_s=0.01, seuil_s=0.02)
    assert navigateur.lectures == 5  # stops at the first quiet window (1.8 → 1.805)
    assert attente >= 0.04


def test_attente_bornee_si_chromium_ne_se_calme_pas(banc):
    navigateur = NavigateurFactice([float(k) for k in range(1000)])
    attente = banc.attendre_navigateur_au_repos(navigateur, fenetre_s=0.01, seuil_s=0.02, delai_s=0.1)
    assert 0.1 <= attente < 1.0
