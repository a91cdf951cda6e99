"""Show in folder: the file manager opens the track's folder with the file selected.

Opening the folder's URL only opens the folder; the freedesktop ``FileManager1.ShowItems`` call
(Nautilus, Dolphin, Nemo, Caja, Thunar, PCManFM answer it) opens it with the files selected.
Without a session bus, or when no file manager answers, the folder is opened the plain way
(``QDesktopServices``). The call may start the file manager, which takes seconds, so it and the
checks on disk run off the GUI thread (:func:`reveal`); :func:`open_folders` is the GUI half.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from jeepney import DBusAddress, DBusErrorResponse, new_method_call
from jeepney.io.blocking import open_dbus_connection
from jeepney.wrappers import unwrap_msg
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from player.store.tracks import Track

log = logging.getLogger(__name__)

FILE_MANAGER = DBusAddress(
    "/org/freedesktop/FileManager1",
    bus_name="org.freedesktop.FileManager1",
    interface="org.freedesktop.FileManager1",
)
MAX_FOLDERS = 3  # never a storm of file-manager windows
ANSWER_WITHIN_S = 10.0  # a file manager started by the call (D-Bus activation) needs a moment


class NoFileManager(Exception):
    """No session bus, or nothing on it answered ``ShowItems``."""


@dataclass
class Revealed:
    """What :func:`reveal` did: files the file manager shows selected, folders still to open
    the plain way, and folders that are not there any more."""

    selected: list[Path] = field(default_factory=list)
    to_open: list[Path] = field(default_factory=list)
    gone: list[Path] = field(default_factory=list)


def show_items(files: list[Path]) -> None:
    """Ask the session's file manager to show ``files`` selected (raises :class:`NoFileManager`)."""
    uris = [path.as_uri() for path in files]  # percent-encoded bytes: any file name survives
    call = new_method_call(FILE_MANAGER, "ShowItems", "ass", (uris, ""))
    try:
        with open_dbus_connection(bus="SESSION") as bus:
            unwrap_msg(bus.send_and_get_reply(call, timeout=ANSWER_WITHIN_S))
    except KeyError as exc:  # jeepney: DBUS_SESSION_BUS_ADDRESS is not set
        raise NoFileManager(f"no session bus ({exc} is not set)") from exc
    except (OSError, ValueError, TimeoutError, DBusErrorResponse) as exc:
        raise NoFileManager(str(exc) or type(exc).__name__) from exc


def reveal(tracks: list[Track]) -> Revealed:
    """Show the tracks' files selected in their folders (at most :data:`MAX_FOLDERS`); off the
    GUI thread. A folder whose files are gone, or every folder when no file manager answers,
    is left in ``to_open``."""
    folders = list(dict.fromkeys(Path(t.path).parent for t in tracks))[:MAX_FOLDERS]
    done = Revealed()
    for folder in folders:
        (done.to_open if folder.is_dir() else done.gone).append(folder)
    files = [Path(t.path) for t in tracks if Path(t.path).parent in done.to_open]
    files = [path for path in dict.fromkeys(files) if path.is_file()]
    if not files:
        return done
    try:
        show_items(files)
    except NoFileManager as exc:
        log.info("Show in folder: %s; opening the folder instead", exc)
        return done
    done.selected = files
    done.to_open = [f for f in done.to_open if all(p.parent != f for p in files)]
    return done


def open_folders(folders: list[Path]) -> list[Path]:
    """Open ``folders`` with the desktop's default handler (GUI thread); returns those it refused."""
    return [f for f in folders if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(f)))]
