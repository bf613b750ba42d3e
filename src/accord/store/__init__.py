"""The SQLite project store: the one place coders' work is kept."""

from .common import ProjectError
from .project import DEFAULT_PROJECT, Project

__all__ = ["DEFAULT_PROJECT", "Project", "ProjectError"]
