"""Small things every part of the store needs."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from ..errors import AccordError


class ProjectError(AccordError):
    """A request the project cannot honour (unknown name, duplicate, refused re-import)."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def new_guid() -> str:
    return str(uuid.uuid4())
