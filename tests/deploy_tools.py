"""Locating the command-line tools the deployment tests drive."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def find_tool(name: str, install_hint: str) -> str:
    """Path of a tool on PATH or in this venv's bin/. Missing: a failure under CI (which must
    install it), a skip elsewhere; either way the message says how to install it."""
    path = shutil.which(name)
    candidate = Path(sys.executable).parent / name
    if path is None and candidate.exists():
        path = str(candidate)
    if path is None:
        message = f"'{name}' not found; install it with: {install_hint}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
