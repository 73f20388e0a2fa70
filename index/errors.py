"""The few errors a user can cause; the CLI and the UI turn them into plain messages."""


class AssistantError(Exception):
    """Base class: anything raised on purpose carries a message fit for a user."""


class ConfigError(AssistantError):
    """A setting has an unknown name or a value of the wrong type."""


class IndexBusy(AssistantError):
    """Another index run holds the data directory's lock."""


class StoreUnavailable(AssistantError):
    """The Chroma store (usually a server) cannot be reached."""


class InvalidRequest(AssistantError, ValueError):
    """A question's options are out of range (a bad mode, k or date): the caller's to fix.

    A `ValueError` too, so code that validated arguments the Python way keeps catching it."""
