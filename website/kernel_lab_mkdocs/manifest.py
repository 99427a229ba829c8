"""The manifest of the site's hashed files: one place that names a file by a hash of its content, and that every
reader of those names asks (the pages' links, the worker's settings, ``_headers``).

A file is in the manifest because the build named it by its content (:meth:`Manifest.name`, :meth:`Manifest.folder`)
or because its theme did (:meth:`Manifest.add`: Material's ``name.<hash>.min.js``); never because its name
happens to contain hex digits, so an authored ``20240101.png`` is not cached for a year.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["HASH_LENGTH", "Manifest", "content_hash", "hashed_name"]

HASH_LENGTH = 10  # hex digits of a content hash in a file or folder name


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:HASH_LENGTH]


def hashed_name(name: str, content: bytes) -> str:
    """``name`` with a hash of ``content`` before its extension (calculators.js -> calculators.0123456789.js), so
    that a host may let browsers keep it for a year: another content is another name.

    >>> hashed_name("python.zip", b"")
    'python.e3b0c44298.zip'
    """
    stem, dot, ext = name.partition(".")
    return f"{stem}.{content_hash(content)}{dot}{ext}"


def folder_hash(sources: dict[str, Path]) -> str:
    """A hash of a folder's files: each name and the hash of its bytes, in name order."""
    listing = "".join(
        f"{name} {hashlib.sha256(src.read_bytes()).hexdigest()}\n" for name, src in sorted(sources.items())
    )
    return content_hash(listing.encode())


class Manifest:
    """This build's hashed files: the site path a page names (``assets/kernel-lab/calculators.js``) -> the path it
    is written to (``assets/kernel-lab/calculators.<hash>.js``). Paths are relative to the site's root."""

    def __init__(self) -> None:
        self.renamed: dict[str, str] = {}  # names pages use -> hashed names (rewritten in the pages)
        self.immutable: set[str] = set()  # every site path whose name carries its content's hash

    def name(self, path: str, content: bytes) -> str:
        """The hashed site path for ``path`` with this ``content``; pages that name ``path`` get it."""
        folder, _, name = path.rpartition("/")
        hashed = f"{folder}/{hashed_name(name, content)}" if folder else hashed_name(name, content)
        self.renamed[path] = hashed
        self.immutable.add(hashed)
        return hashed

    def rename(self, path: str, hashed: str) -> None:
        """A file the build hashed another way (the theme's patched bundle): pages that name ``path`` get ``hashed``."""
        self.renamed[path] = hashed
        self.immutable.add(hashed)

    def folder(self, folder: str, names: list[str]) -> None:
        """A folder whose name carries the hash of its files (:func:`folder_hash`): each of its files."""
        self.immutable.update(f"{folder}/{name}" for name in names)

    def add(self, path: str) -> None:
        """A file named by its content some other way (the theme's ``name.<hash>.min.js``, python.<h>.zip.xz)."""
        self.immutable.add(path)

    def rewrite(self, html: str) -> str:
        """A page's HTML naming each renamed file by its hashed name (wherever an attribute ends with its path)."""
        for old, new in self.renamed.items():
            html = html.replace(f'{old}"', f'{new}"')
        return html
