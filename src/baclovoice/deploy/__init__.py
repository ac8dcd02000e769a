"""Deployment: nginx configurations and the static export (above the web stage, below the CLI)."""
