"""One family of errors a user can cause; the CLI edge turns each into a paragraph and an exit code."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    DATA = 1  # the input data or the warehouse content is the problem
    USAGE = 2  # options, missing files, no workspace
    LOCKED = 3  # another process holds the warehouse or the report lock
    DELIVERY = 4  # reports were written, but mail or a group robot could not be reached after retries


class AesopsError(Exception):
    exit_code: int = Exit.DATA

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class UsageError(AesopsError):
    exit_code = Exit.USAGE


class WorkspaceError(AesopsError):
    exit_code = Exit.USAGE


class InputFileError(AesopsError):
    """A file cannot be read or understood; nothing was written."""

    exit_code = Exit.DATA


class LockedError(AesopsError):
    exit_code = Exit.LOCKED


class DeliveryError(AesopsError):
    """The reports are on disk; sending them failed after every retry."""

    exit_code = Exit.DELIVERY


class OutputError(AesopsError):
    """An output (report file) cannot be written: disk full, no permission; nothing half-written is kept."""

    exit_code = Exit.USAGE


class ModelFitError(AesopsError):
    """A statistical model cannot be fitted to the data (too little history, no convergence)."""

    exit_code = Exit.DATA
