"""Thin Typer commands: parse options, call the core, render."""
