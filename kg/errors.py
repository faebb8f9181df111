"""The exceptions of aim-kg: every error a user can cause is an ``AimKgError``.

The message says what was wrong, where (file, line, option) and what was expected; the command
line prints it as it is (exit code 1), so a Python caller and a shell user read the same words.
Anything else that escapes a function of aim-kg is a bug.
"""

from __future__ import annotations


class AimKgError(Exception):
    """Base class: a user error, with a message meant to be shown as it is."""


class UsageError(AimKgError):
    """Arguments that cannot work together: an output that is also an input, a bad base IRI."""


class InputError(AimKgError):
    """An input path that cannot be read at all: the run stops before writing anything."""


class RdfFileError(AimKgError):
    """An RDF file that cannot be read or parsed, or whose format cannot be told."""


class DataError(AimKgError):
    """DATA for a store that cannot be read, parsed or exported: nothing is loaded."""


class StoreError(AimKgError):
    """A store folder that cannot be opened (missing, not a store, locked by another process)."""


class QueryError(AimKgError):
    """A SPARQL query that cannot be found, parsed or run; the message says where and why."""


class ServeError(AimKgError):
    """The SPARQL endpoint cannot be started."""


class ContextError(AimKgError):
    """The vocabulary would give two IRIs the same JSON-LD term."""
