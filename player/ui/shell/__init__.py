"""The window as a shell: main window, menus, status bar, transport, library views, queue.

Features plug in through :class:`~player.ui.shell.context.FeatureContext`.
"""
