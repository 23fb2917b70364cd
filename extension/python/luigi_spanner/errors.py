"""Errors that reach a person: every one says what is wrong and how to fix it."""

from __future__ import annotations


class LuigiSpannerError(Exception):
    """Base error of the library; ``fix`` tells the reader what to do about it."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(f"{message} Fix: {fix}")
        self.message = message
        self.fix = fix


class ConfigurationError(LuigiSpannerError):
    """A connection setting is missing or malformed."""


class MarkerTableMissing(LuigiSpannerError):
    """The completion-marker table does not exist in the database."""


class MigrationError(LuigiSpannerError):
    """A migrations folder or file cannot be used."""
