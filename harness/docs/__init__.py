"""Documentation helpers run by ``docs/conf.py`` at build time (the scenario catalogue)."""
