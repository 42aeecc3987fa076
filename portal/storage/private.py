"""Files and folders that only the portal's user may read (0600 and 0700), whatever the process's umask:
the database, the blobs and their temporary files, the audit checkpoints. Modes are given when each is
created (a umask can only take permissions away, never add them); folders and files that already exist are
left as they are, so an operator's own choice for ``var/`` stands."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path) -> None:
    """``path``, and any of its parents that are missing, created 0700."""
    missing = []
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # made in the meantime, by another process: theirs to set
            continue


def open_private(path: Path, flags: int) -> int:
    """``os.open`` that creates the file 0600 (if ``flags`` allow creating it)."""
    return os.open(path, flags, FILE_MODE)


def create_private_file(path: Path) -> None:
    """``path`` created empty and 0600, unless it exists."""
    try:
        os.close(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return
