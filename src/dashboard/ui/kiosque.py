"""Streamlit side of the public screen (kiosk mode): style, data, rotation, self-healing.

The slides themselves are pure (:mod:`dashboard.vues.kiosque`); this module only
- hides Streamlit's chrome and sets large, high-contrast type (fixed CSS, never data);
- loads the store through the cache boundary and builds each slide once per edition;
- rotates the slides with ``st.fragment(run_every=…)`` (only the slide is redrawn);
- embeds a tiny watchdog that reloads the page when the server comes back after a drop.

Nothing here writes a file: the kiosk runs on a read-only data folder (the Leaflet
assets of the interactive pages are copied to ``static/``, which the kiosk does not use).
"""

from __future__ import annotations

import json
import logging

import streamlit as st

from dashboard.erreurs import ErreurDonnees
from dashboard.parametres_kiosque import ParametresKiosque, charger_parametres_kiosque, fichier_parametres_kiosque
from dashboard.ui import donnees
from dashboard.vues import kiosque as vues
from dashboard.vues.provenance import combiner, provenance_instantane, provenance_reference
from dashboard.vues.securite import safe_html

_JOURNAL = logging.getLogger(__name__)
CLE_NUMERO = "kiosque_numero"
SOURCES = ("arcep_mci", "arcep_ftth", "insee_communes", "france_services", "mediation_numerique",
           "tiers_lieux_cget")
TITRE_VEILLE = "kiosque-veille"

# Fixed CSS (no data inside): hide Streamlit's chrome, big high-contrast type.
# Sizes: body text ≥ 28 px, key figures ≥ 64 px, on a 1920×1080 screen.
CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stElementToolbar"], [data-testid="stAppDeployButton"], #MainMenu, footer,
.stElementContainer:has(iframe[title="kiosque-veille"]),
.stElementContainer:has(iframe[title="st.iframe"][height="1"]) { display: none !important; }
html, body, .stApp { background: #ffffff; color: #000000; cursor: none; }
[data-testid="stMainBlockContainer"], .block-container {
  padding: 18px 290px 0 40px !important; max-width: 100% !important; }
[data-testid="stVerticalBlock"] { gap: 10px !important; }
[data-stale="true"] { opacity: 1 !important; transition: none !important; }
.kiosque-entete { margin: 0 0 4px 0; }
.kiosque-titre { font-size: 64px !important; line-height: 1.1; font-weight: 800; color: #0a2a5e;
  margin: 0 0 4px 0 !important; padding: 0 !important; }
.kiosque-phrase { font-size: 32px; line-height: 1.25; margin: 0; color: #000000; }
.kiosque-question { font-size: 84px; line-height: 1.12; font-weight: 800; margin: 16px 0 0 0; color: #000000; }
.kiosque-compteur { position: fixed; top: 24px; right: 24px; width: 220px; text-align: center; font-size: 32px;
  font-weight: 700; color: #000000; border: 3px solid #000000; border-radius: 12px; padding: 4px 0; }
.kiosque-colonne { display: flex; flex-direction: column; gap: 14px; }
.kiosque-grille { display: grid; grid-template-columns: repeat(3, 1fr); gap: 44px 48px; margin-top: 30px; }
.kiosque-chiffre { border-left: 12px solid #0072B2; padding: 2px 0 2px 20px; }
.kiosque-valeur { font-size: 96px; line-height: 1.0; font-weight: 800; color: #000000; }
.kiosque-colonne .kiosque-valeur { font-size: 72px; }
.kiosque-libelle { font-size: 32px; line-height: 1.2; font-weight: 700; color: #000000; }
.kiosque-detail { font-size: 28px; line-height: 1.2; color: #1a1a1a; }
.kiosque-mention { font-size: 28px; line-height: 1.25; color: #000000; background: #eeeeee;
  border-left: 8px solid #000000; padding: 8px 14px; margin: 12px 0 0 0; }
.kiosque-manque { font-size: 28px; color: #000000; border: 3px dashed #000000; padding: 8px 14px; }
.kiosque-carte { width: 100%; height: 590px; object-fit: contain; object-position: center top; display: block; }
.kiosque-legende { font-size: 28px; line-height: 1.25; margin-top: 12px; }
.kiosque-legende strong { display: block; }
.kiosque-case { display: inline-flex; align-items: center; margin: 3px 22px 3px 0; }
.kiosque-pastille { width: 44px; height: 30px; border: 2px solid #000000; display: inline-block;
  margin-right: 10px; }
.kiosque-nd { border-style: dashed; }
.kiosque-point { width: 26px; height: 26px; border-radius: 50%; border: 3px solid #000000; display: inline-block;
  margin-right: 10px; }
.kiosque-pied { margin-top: 4px; }
.kiosque-demo { font-size: 30px; font-weight: 800; color: #000000; background: #FFD54F;
  border: 4px solid #000000; padding: 4px 16px; margin-bottom: 8px; }
.kiosque-sources { font-size: 28px; line-height: 1.25; color: #000000; margin: 0; }
.kiosque-debat { display: flex; align-items: flex-start; justify-content: space-between; gap: 48px; }
.kiosque-precision { font-size: 44px; line-height: 1.2; color: #000000; border-left: 12px solid #0072B2;
  padding-left: 24px; margin: 20px 0 0 0; }
.kiosque-qr-coin { position: fixed; right: 24px; bottom: 24px; width: 220px; background: #ffffff;
  text-align: center; z-index: 1000; border: 3px solid #000000; padding: 8px 4px; }
.kiosque-qr-coin .kiosque-qr { width: 200px; height: 200px; }
.kiosque-qr-grand { text-align: center; flex: 0 0 460px; }
.kiosque-qr-grand .kiosque-qr { width: 300px; height: 300px; }
.kiosque-qr-legende { font-size: 28px; font-weight: 700; line-height: 1.15; }
.kiosque-qr-adresse { font-size: 28px; line-height: 1.15; word-break: break-all; }
.kiosque-qr-coin .kiosque-qr-adresse { display: none; }
.stApp:has(.kiosque-qr-grand) .kiosque-qr-coin { display: none; }
.kiosque-erreur { font-size: 40px; color: #000000; border: 6px solid #000000; padding: 24px; }
</style>
"""

# Watchdog, in an iframe (same origin as the app): polls /_stcore/health; when the server
# answers again after a failure (restart, network drop), or when the page stays
# disconnected or frozen although the server is up, it reloads the whole page. Reloads are
# spaced by at least 15 s so a flapping server cannot cause a reload storm.
SCRIPT_VEILLE = """<!doctype html><html><body><script>
(function () {
  const parent = window.parent;
  const SANTE = new URL(__CHEMIN__ + "_stcore/health", parent.location.origin).href;
  const PERIODE_MS = 3000, DELAI_MS = 2500, ESPACEMENT_MS = 15000, FIGEE_MS = __FIGEE_MS__;
  let echecs = 0, deconnecte = 0, repere = null, depuis = Date.now();
  function recharger(raison) {
    const maintenant = Date.now();
    const dernier = Number(parent.sessionStorage.getItem("kiosque-rechargement") || 0);
    if (maintenant - dernier < ESPACEMENT_MS) return;
    parent.sessionStorage.setItem("kiosque-rechargement", String(maintenant));
    parent.sessionStorage.setItem("kiosque-raison", raison);
    parent.location.reload();
  }
  async function verifier() {
    const controle = new AbortController();
    const minuterie = setTimeout(() => controle.abort(), DELAI_MS);
    let ok = false;
    try {
      const reponse = await fetch(SANTE, {cache: "no-store", signal: controle.signal});
      ok = reponse.ok;
    } catch (erreur) {
      ok = false;
    }
    clearTimeout(minuterie);
    if (!ok) { echecs += 1; return; }
    if (echecs > 0) { recharger("serveur revenu"); return; }
    const app = parent.document.querySelector('[data-testid="stApp"]');
    const etat = app ? app.dataset.testConnectionState : "";
    deconnecte = etat && etat !== "CONNECTED" ? deconnecte + 1 : 0;
    if (deconnecte >= 4) { recharger("page déconnectée"); return; }
    const compteur = parent.document.querySelector(".kiosque-entete");
    const texte = compteur ? compteur.textContent : "";
    if (texte !== repere) { repere = texte; depuis = Date.now(); }
    else if (FIGEE_MS > 0 && Date.now() - depuis > FIGEE_MS) { recharger("diaporama figé"); }
  }
  setInterval(verifier, PERIODE_MS);
})();
</script></body></html>"""


def injecter_style() -> None:
    """The kiosk CSS (fixed text). ``st.html`` keeps ``<style>`` and, for a style-only
    body, puts it in the event container so it takes no room on the page."""
    st.html(CSS)


def script_veille(intervalle_s: float, nb_diapositives: int) -> str:
    """The watchdog page; only fixed values (base path, delay) are inserted, JSON-encoded."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    chemin = "/" + (base + "/" if base else "")
    figee_ms = int((3 * intervalle_s + 30) * 1000) if nb_diapositives > 1 else 0
    return SCRIPT_VEILLE.replace("__CHEMIN__", json.dumps(chemin)).replace("__FIGEE_MS__", str(figee_ms))


def veiller(parametres: ParametresKiosque) -> None:
    st.iframe(script_veille(parametres.intervalle_s, len(parametres.diapositives)), height=1, alt=TITRE_VEILLE)


def _cle_donnees() -> tuple:
    """Editions of every source used + the reference fingerprint: a new snapshot → new slides."""
    magasin = donnees.magasin()
    editions = tuple((s, (magasin.pointeur(s) or {}).get("edition")) for s in SOURCES)
    return editions, donnees._empreinte_reference()


def _donnees_kiosque() -> vues.DonneesKiosque:
    from dashboard.indicateurs import lieux as L
    from dashboard.objectifs import charger_objectifs

    territoire, reference = donnees.territoire(), donnees.reference()
    instants = {s: donnees.instantane_facultatif(s) for s in SOURCES}
    cadres = {s: (i.frame if i is not None else None) for s, i in instants.items()}
    provenances = {s: provenance_instantane(i.manifeste) for s, i in instants.items() if i is not None}
    provenances["reference"] = provenance_reference(reference.manifeste)
    parties_lieux = [provenances[s] for s in ("france_services", "mediation_numerique") if s in provenances]
    lieux_aide = None
    if parties_lieux:
        provenances["lieux"] = combiner("lieux", "Lieux d'aide numérique", parties_lieux)  # type: ignore[assignment]
        tous = L.lieux_unifies(cadres["france_services"], cadres["tiers_lieux_cget"], cadres["mediation_numerique"])
        lieux_aide = L.filtrer_lieux(tous.lieux, categories=[L.FRANCE_SERVICES, L.MEDIATION])
    try:
        objectifs = charger_objectifs()
    except ErreurDonnees as exc:  # the fibre curve is still shown, without targets
        _JOURNAL.warning("objectifs de couverture illisibles : %s", exc)
        objectifs = ()
    cible = vues.provenance_objectifs(objectifs)
    if cible is not None:
        provenances["objectifs"] = cible
    return vues.DonneesKiosque(
        communes=reference.communes, nom_territoire=territoire.nom,
        de_territoire=territoire.complement or f"de {territoire.nom}",
        mci=cadres["arcep_mci"], ftth=cadres["arcep_ftth"], insee=cadres["insee_communes"], lieux_aide=lieux_aide,
        objectifs=tuple(objectifs), provenances=provenances,
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _diapositive(identifiant: str, cle: str, parametres: ParametresKiosque) -> vues.Diapositive:
    """One slide, built once per data edition: ``cle`` lists the editions (see :func:`_cle_donnees`)."""
    donnees_kiosque = _donnees_kiosque()
    if identifiant == "question":
        return vues.diapo_question(donnees_kiosque, parametres)
    return vues.CONSTRUCTEURS[identifiant](donnees_kiosque)


def diapositive(identifiant: str, parametres: ParametresKiosque) -> vues.Diapositive | None:
    """The slide, or ``None`` (logged on the server) if it cannot be built: the show goes on."""
    try:
        return _diapositive(identifiant, json.dumps(_cle_donnees()), parametres)
    except Exception:  # a public screen skips a broken slide, never shows a traceback
        _JOURNAL.exception("diapositive « %s » impossible à construire", identifiant)
        return None


def afficher(diapo: vues.Diapositive, numero: int, total: int, parametres: ParametresKiosque) -> None:
    """Lay one slide out: header, body (map or chart + figures, or a grid), sources."""
    st.html(vues.html_entete(diapo, numero, total))
    if diapo.question:
        st.html(vues.html_debat(diapo, parametres))
    elif diapo.carte_svg is None and diapo.figure is None:
        st.html(vues.html_chiffres(diapo, grille=True))
    else:
        gauche, droite = st.columns([1, 1.15], gap="large")
        with gauche:
            if diapo.figure is not None:
                st.plotly_chart(diapo.figure, config={"staticPlot": True, "displayModeBar": False},
                                width="stretch", key=f"figure_{diapo.identifiant}")
            else:
                st.html(vues.html_carte(diapo))
        with droite:
            st.html(vues.html_chiffres(diapo) + vues.html_legende(diapo))
    st.html(vues.html_pied(diapo))


def diaporama(parametres: ParametresKiosque) -> None:
    """Rotate the slides: the fragment reruns every ``intervalle_s`` and draws the next one."""
    total = len(parametres.diapositives)

    @st.fragment(run_every=parametres.intervalle_s)
    def tourner() -> None:
        numero = (st.session_state.get(CLE_NUMERO, -1) + 1) % total
        st.session_state[CLE_NUMERO] = numero
        identifiant = parametres.diapositives[numero]
        diapo = diapositive(identifiant, parametres)
        if diapo is None:
            st.html('<p class="kiosque-erreur">Cette diapositive est momentanément indisponible.</p>')
            return
        afficher(diapo, numero + 1, total, parametres)

    tourner()


def ecran_public() -> None:
    """The whole kiosk page: style, watchdog, corner QR code, rotating slides."""
    injecter_style()
    try:
        parametres = charger_parametres_kiosque()
    except ErreurDonnees as exc:
        st.html(f'<p class="kiosque-erreur">Réglages de l\'écran public invalides '
                f"({safe_html(fichier_parametres_kiosque().name)}) : {safe_html(str(exc), 600)}</p>")
        return
    veiller(parametres)
    st.html(vues.html_qr(parametres))
    diaporama(parametres)
