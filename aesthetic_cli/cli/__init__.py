"""The command layer: the only code that imports Typer or Rich or knows option spellings.

root.py builds the `aesops` app, errors.py translates what the core raises, options.py holds the shared
options, output.py is the one output sink (table, csv, json, quiet), commands/ the thin commands."""

from aesthetic_cli.cli.root import app, main

__all__ = ["app", "main"]
