"""Browser tests: the app started as a subprocess, driven by headless Debian Chromium."""
