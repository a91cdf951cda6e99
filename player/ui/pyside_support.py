"""PySide6's own Python code compiled once, not at every start.

shiboken6 carries the Python half of its signature machinery (``shibokensupport``: 13 modules,
some 3,800 lines with its bootstrap) as source inside its C library and compiles it whenever PySide6 is first
imported: ~35 ms of every start, before anything can be drawn. Its own way out
(``SBK_EMBED=false``) writes the modules into shiboken6's folder in site-packages, which is not
Continuo's to change and is often read-only. Instead, while PySide6 is first imported
(:func:`compiled_once`), what shiboken compiles is kept in the user's cache folder as
``marshal`` data (what a ``.pyc`` file holds), each module with the source it came from, and
later starts take it from there when the source is the same: a new PySide6 or Python finds no
match (the file is named after Python's bytecode version) and compiles as before. Nothing else
compiled meanwhile is touched, and the code is compiled with the flags shiboken's own call would
have had (it inherits its caller's ``from __future__`` imports).
"""

from __future__ import annotations
import __future__

import builtins
import logging
import marshal
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType

log = logging.getLogger(__name__)

SUPPORT_PREFIX = "shibokensupport/"
"""How the file names shiboken compiles from its embedded archive begin."""
BOOTSTRAP = "signature_bootstrap.py"
"""The file shiboken compiles first, which loads the others."""
FUTURE_FLAGS = reduce(
    lambda flags, name: flags | getattr(__future__, name).compiler_flag,
    __future__.all_feature_names,
    0,
)
"""The compiler flags ``compile()`` takes over from its caller's ``from __future__`` imports."""

Cached = dict[str, tuple[bytes, int, CodeType]]
"""File name -> (its source, the compiler flags, the code compiled from it)."""


def cache_file(folder: Path) -> Path:
    """The cache in ``folder``, named for this Python's bytecode (code of another Python never
    matches it)."""
    return folder / f"pyside-support-{MAGIC_NUMBER.hex()}.marshal"


@contextmanager
def compiled_once(folder: Path) -> Iterator[None]:
    """Import PySide6 inside this: shiboken's support modules come from ``folder``'s cache when
    they were compiled there before, and are added to it otherwise."""
    path = cache_file(folder)
    cached = _read(path)
    compile_now = builtins.compile
    added: Cached = {}

    def compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, **more):  # noqa: A001, ANN001, ANN202 (builtins.compile's signature)
        if not dont_inherit:  # what the builtin would take over from its caller, not from here
            flags |= sys._getframe(1).f_code.co_flags & FUTURE_FLAGS
        if not (
            isinstance(filename, str)
            and (filename.startswith(SUPPORT_PREFIX) or filename == BOOTSTRAP)
            and isinstance(source, bytes)
            and mode == "exec"
            and optimize == -1
            and not more
        ):
            return compile_now(source, filename, mode, flags, True, optimize, **more)
        known = cached.get(filename)
        if known is not None and known[0] == source and known[1] == flags:
            return known[2]
        code = compile_now(source, filename, mode, flags, True)
        added[filename] = (source, flags, code)
        return code

    builtins.compile = compile
    try:
        yield
    finally:
        builtins.compile = compile_now
    if added:
        _write(path, {**cached, **added})


def _read(path: Path) -> Cached:
    try:
        cached = marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, EOFError, TypeError) as exc:
        log.info("PySide6's support cache %s is not used (%s); it is made again", path, exc)
        return {}
    if not isinstance(cached, dict):
        return {}
    return {
        name: entry
        for name, entry in cached.items()
        if isinstance(entry, tuple)
        and len(entry) == 3
        and isinstance(entry[0], bytes)
        and isinstance(entry[1], int)
        and isinstance(entry[2], CodeType)
    }


def _write(path: Path, cached: Cached) -> None:
    """Written whole under another name, then renamed into place (a start at the same time
    reads the old file or the new one)."""
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(marshal.dumps(cached))
        part.replace(path)
    except OSError as exc:  # a read-only or full home: compiled again at the next start
        log.info("PySide6's support cache %s not written: %s", path, exc)
        part.unlink(missing_ok=True)
