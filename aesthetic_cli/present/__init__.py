"""Presentation in one place: labels and their zh/en forms, number formats, messages."""
