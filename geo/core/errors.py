"""Typed errors whose messages say what is wrong, where, and how to fix it, in the user's language."""

from __future__ import annotations

from typing import Any

from geo.core import i18n


class SozialraumError(Exception):
    """Base of the project's errors: a message key and its parameters, rendered in any language."""

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(i18n.translate(key, i18n.DEFAULT_LANGUAGE, **params))

    def message(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        """The message as one plain sentence in `lang`."""
        return i18n.translate(self.key, lang, **self.params)

    def markdown(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        """
        The message for a page, which renders Markdown: every value in it escaped.

        A name, a cell or a file's text shows as written and never becomes a link or markup.
        """
        from geo.core.tables import markdown_text  # noqa: PLC0415 - tables builds on i18n, as this module does

        def escaped(value: Any) -> Any:
            if isinstance(value, str):
                return markdown_text(value)
            if isinstance(value, list | tuple):
                return [escaped(v) for v in value]
            return value

        return i18n.translate(self.key, lang, **{k: escaped(v) for k, v in self.params.items()})


class DataError(SozialraumError, ValueError):
    """Input data cannot be used as it is."""


class FileFormatError(DataError):
    """A file cannot be read: missing, empty, wrong format or encoding."""


class MissingColumnError(DataError):
    """A required column is not in the table."""


class CrsError(DataError):
    """The coordinate reference system of a file is missing or implausible."""


class IdError(DataError):
    """Sozialraum IDs are malformed, duplicated or cannot be joined."""


class RegisterError(DataError):
    """A register entry breaks a rule (members, dates, IDs)."""


class ConcurrentEditError(RegisterError):
    """Someone else saved the same record since it was read."""


class DownloadError(SozialraumError, OSError):
    """An official file could not be downloaded."""
