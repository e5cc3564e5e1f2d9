"""Computations behind every analysis, callable without the CLI (no typer, rich or jinja2 here)."""
