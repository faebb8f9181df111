"""The AI Incident Database's (AIID) table of links to AIM pages: AIM id -> AIID incident ids.

The table is a JSON array of ``{"incident_id": 1194, "sameAs":
"https://oecd.ai/en/incidents/2025-08-27-cc0a", "source_namespace": "OECD"}`` (the AIID's own
form; kg/data/README.md). It is a many-to-many link table, not an identity: the export turns each
pair into ``aim:aiidIncident``, never ``owl:sameAs``. aim-kg ships one (``bundled``); a newer table
of the same form can replace it, or none be used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import resources
from kg.errors import InputError
from kg.model.events import is_aim_id

_AIM_PAGE = re.compile(r"^https?://(?:www\.)?oecd\.ai/(?:[a-z]{2}/)?incidents/([^/?#\s]+)/?$")

BUNDLED = "bundled"
NONE = "none"


@dataclass(frozen=True)
class Linkset:
    """A table of links: which AIID incidents each AIM id is paired with, and where it came from."""

    index: dict[str, tuple[int, ...]] = field(default_factory=dict)  # AIM id -> AIID ids, sorted
    path: str | None = None  # the file read; None when no table is used
    bundled: bool = False  # the table shipped with aim-kg
    sha256: str | None = None
    pairs: int = 0  # distinct (AIM id, AIID id) pairs

    def __bool__(self) -> bool:
        return self.path is not None

    def links(self, event_id: str) -> tuple[int, ...]:
        return self.index.get(event_id, ())

    def count(self, pairs) -> int:
        """How many of the (AIM id, AIID id) pairs given are in the table."""
        return sum(1 for aim_id, n in pairs if n in self.index.get(aim_id, ()))


def load_linkset(spec: str | os.PathLike | bool | None = True) -> Linkset:
    """The table to use: True or "bundled" the one shipped with aim-kg, False, None or "none"
    no table, a path a file of the same form. Raises InputError for a file that cannot be read
    or is not of that form (with the entry that is wrong)."""
    if spec is None or spec is False or (isinstance(spec, str) and spec.lower() == NONE):
        return Linkset()
    bundled = spec is True or spec == BUNDLED
    path = resources.aiid_links_file() if bundled else Path(os.fspath(spec))
    shown = "the bundled AIID links" if bundled else f"--aiid-links {path}"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{shown}: cannot read it ({exc.strerror or exc})") from None
    try:
        entries = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{shown}: not JSON ({exc})") from None
    if not isinstance(entries, list):
        raise InputError(
            f'{shown}: expected a JSON array of {{"incident_id": 1194, "sameAs": '
            '"https://oecd.ai/en/incidents/<id>"}'
        )
    index: dict[str, set[int]] = {}
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InputError(f"{shown}: entry {n} is not an object")
        namespace = entry.get("source_namespace", "OECD")
        if namespace != "OECD":
            continue  # a link to another database: not an AIM page
        incident, url = entry.get("incident_id"), entry.get("sameAs")
        if isinstance(incident, str) and incident.strip().isdigit():
            incident = int(incident)
        if not isinstance(incident, int) or isinstance(incident, bool) or incident < 0:
            raise InputError(f"{shown}: entry {n}: incident_id {incident!r} is not a number")
        match = _AIM_PAGE.match(url) if isinstance(url, str) else None
        if match is None or not is_aim_id(match.group(1)):
            raise InputError(
                f"{shown}: entry {n}: sameAs {url!r} is not an AIM incident page "
                "(https://oecd.ai/en/incidents/<AIM id>)"
            )
        index.setdefault(match.group(1), set()).add(incident)
    return Linkset(
        index={aim_id: tuple(sorted(ids)) for aim_id, ids in sorted(index.items())},
        path=str(path),
        bundled=bundled,
        sha256=hashlib.sha256(data).hexdigest(),
        pairs=sum(len(ids) for ids in index.values()),
    )
