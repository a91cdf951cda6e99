"""The Qt user interface: the only package that imports Qt widgets.

Importing it loads PySide6, its own support code compiled once and then taken from the user's
cache folder (:mod:`player.ui.pyside_support`: ~35 ms of every start), and takes out PySide6's
``__feature__`` import hook: the hook serves ``from __feature__ import snake_case`` (Qt's API in
other spellings, which Continuo does not use: tests/ui/test_start_order.py keeps it out), and to
know which modules might, it read the source of every module imported after PySide6, once per
name: some 100 before the window's first paint and 170 more as numpy and the features are
imported (numpy's import alone took ~0.05 s of CPU more with the hook). Qt's own import hook,
under it, stays.
"""

import builtins
from pathlib import Path

import platformdirs

from player.profile import APP_NAME
from player.ui.pyside_support import compiled_once

with compiled_once(Path(platformdirs.user_cache_dir(APP_NAME))):
    import PySide6.QtCore  # noqa: F401  (PySide6 installs its hooks on its first import)


def _take_out_feature_hook() -> None:
    hooked = getattr(builtins, "__feature_import__", None)
    under = getattr(builtins, "__orig_import__", None)
    if hooked is not None and under is not None and builtins.__import__ is hooked:
        builtins.__import__ = under


_take_out_feature_hook()
