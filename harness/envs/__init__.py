"""Environment providers: the layouts wheels are installed into (venv, --target, user site, conda...)."""
