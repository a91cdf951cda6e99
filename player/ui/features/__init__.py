"""The window's features, each a widget plus the logic that drives it, installed on the shell.

Every feature has ``install(ctx)`` taking the shell's
:class:`~player.ui.shell.context.FeatureContext` and nothing else; they talk to each other only
through the context's signals, so any subset installs in any order.
:mod:`player.ui.features.installer` is what the composition root (:mod:`player.app`) installs;
this package imports nothing, so a feature's module can be imported alone.
"""
