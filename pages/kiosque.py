"""Écran public des cafés-débats (mode kiosque) : diapositives qui défilent seules, sans widget.

Réglages (intervalle, ordre des diapositives, question du débat, adresse du QR code) dans
``data/kiosque.toml``. Lancement : ``make kiosque`` (voir README, « Écran public »).
"""

from dashboard.ui.kiosque import ecran_public

ecran_public()
