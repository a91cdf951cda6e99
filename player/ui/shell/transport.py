"""The bottom bar: what is playing (composer, work, movement, performers) and the transport controls."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from player.audio.backend import Playable, PlaybackState
from player.playlog import token_of
from player.store.tracks import Track
from player.ui.elided import ElidedLabel
from player.ui.icons import media_icon
from player.ui.shell.controller import PlaybackController
from player.ui.shell.library_models import format_duration
from player.ui.style import named, theme

POLL_MS = 200


class NowPlaying(QWidget):
    """Album art (when a feature supplies it), composer (small caps, muted), work (prominent),
    movement, and the recording (performers, year), so two recordings of one work are told
    apart."""

    ART_SIZE = 64

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.art = named(QLabel(), "npArt")
        self.art.setFixedSize(self.ART_SIZE, self.ART_SIZE)
        self.art.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.art.hide()
        self.composer = ElidedLabel("npComposer")
        self.work = ElidedLabel("npWork")
        self.movement = ElidedLabel("npMovement")
        self.performers = ElidedLabel("npPerformers")
        self.track: Track | None = None  # the track the lines name
        self._recording = ""
        text = QVBoxLayout()
        text.setContentsMargins(0, 0, 0, 0)
        text.setSpacing(1)
        for label in (self.composer, self.work, self.movement, self.performers):
            # the window never grows for a long title: the lines take the room they are given
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            text.addWidget(label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.art)
        layout.addLayout(text, 1)
        self.show_track(None)

    def set_art(self, pixmap: QPixmap | None) -> None:
        if pixmap is None or pixmap.isNull():
            self.art.clear()
            self.art.hide()
            return
        ratio = self.devicePixelRatioF()
        scaled = pixmap.scaled(
            round(self.ART_SIZE * ratio),
            round(self.ART_SIZE * ratio),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        scaled.setDevicePixelRatio(ratio)
        self.art.setPixmap(scaled)
        self.art.show()

    def show_track(self, track: Track | None) -> None:
        self.track = track
        if track is None:
            texts = ("", "Nothing playing", "Double-click a movement to play it", "")
        else:
            number = track.movement_number
            movement = f"{number}. {track.display_title}" if number else track.display_title
            composer = (track.composer_name if track.composer_key else track.composer).upper()
            texts = (composer, track.work_title or track.title, movement, track.recording_label)
            if not track.work:
                texts = (composer, track.title, "", track.recording_label)
        for label, text in zip(
            (self.composer, self.work, self.movement, self.performers), texts, strict=True
        ):
            label.set_full_text(text, text)  # the whole line in the tooltip, cut or not
        self._recording = texts[3]

    def show_pitch(self, label: str) -> None:
        """The recording's key and concert pitch ("F♯ minor · A = 415 Hz") after its
        performers, once the analysis knows them ('' shows the performers alone)."""
        line = "  ·  ".join(p for p in (self._recording, label) if p)
        self.performers.set_full_text(line, line)


class TransportBar(QWidget):
    """Play/pause, previous/next, seek with elapsed/total time, and volume."""

    volume_changed = Signal(float)

    def __init__(self, controller: PlaybackController, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("transport")
        self.controller = controller
        self.now_playing = NowPlaying()

        def button(tip, slot, name="transportButton", size=18):
            b = named(QToolButton(), name)
            b.setIconSize(QSize(size, size))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            return b

        self.previous_button = button("Previous (Ctrl+Left)", controller.previous)
        self.play_button = button("Play / pause (Space)", controller.toggle, "playButton", 16)
        self.next_button = button("Next (Ctrl+Right)", controller.next)
        self.elapsed = named(QLabel("0:00"), "timeLabel")
        self.total = named(QLabel("0:00"), "timeLabel")
        self.seek_slider = named(QSlider(Qt.Orientation.Horizontal), "seekSlider")
        self.seek_slider.setRange(0, 0)
        self.seek_slider.sliderReleased.connect(self._seek_released)
        self.seek_slider.sliderMoved.connect(
            lambda v: self.elapsed.setText(format_duration(v / 1000))
        )
        self.volume_icon = volume_icon = QLabel()
        self.volume_slider = named(QSlider(Qt.Orientation.Horizontal), "volumeSlider")
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setFixedWidth(110)
        self.volume_slider.setToolTip("Volume")
        self.volume_slider.valueChanged.connect(self._volume_moved)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addStretch()
        for b in (self.previous_button, self.play_button, self.next_button):
            buttons.addWidget(b)
        buttons.addStretch()
        seek = QHBoxLayout()
        seek.addWidget(self.elapsed)
        seek.addWidget(self.seek_slider, 1)
        seek.addWidget(self.total)
        center = QVBoxLayout()
        center.setSpacing(2)
        center.addLayout(buttons)
        center.addLayout(seek)
        volume = QHBoxLayout()
        volume.addStretch()
        volume.addWidget(volume_icon)
        volume.addWidget(self.volume_slider)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(18)
        layout.addWidget(self.now_playing, 3)
        layout.addLayout(center, 4)
        layout.addLayout(volume, 2)

        self._paint_icons()
        controller.now_playing.connect(self.now_playing.show_track)
        # The position only moves while playing, and only needs showing while the window is
        # on screen: the poll runs then and no longer (fewer wake-ups while music plays hidden).
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.refresh)
        controller.state_changed.connect(lambda _state: self._poll_when_useful())
        controller.now_playing.connect(lambda _track: self.refresh())
        controller.seeked.connect(lambda _s: self.refresh())

    def _paint_icons(self) -> None:
        """The buttons' icons in the palette's colours (again whenever the palette changes)."""
        t = theme()
        self._play_icons = {
            False: media_icon("play", t.on_accent),
            True: media_icon("pause", t.on_accent),
        }
        self.play_button.setIcon(self._play_icons[bool(self.play_button.property("playing"))])
        self.previous_button.setIcon(media_icon("previous", t.ink))
        self.next_button.setIcon(media_icon("next", t.ink))
        self.volume_icon.setPixmap(media_icon("volume", t.muted).pixmap(18, 18))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.PaletteChange):
            self._paint_icons()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.window().installEventFilter(self)  # to hear of minimising (installed once)
        self._poll_when_useful()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._poll_when_useful()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window() and event.type() == QEvent.Type.WindowStateChange:
            self._poll_when_useful()
        return False

    def _poll_when_useful(self) -> None:
        window = self.window()
        on_screen = self.isVisible() and not window.isMinimized()
        playing = self.controller.backend.state == PlaybackState.PLAYING
        if on_screen and playing:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self._timer.stop()
        self.refresh()

    def set_volume(self, volume: float) -> None:
        self.volume_slider.setValue(round(volume * 100))

    def _volume_moved(self, value: int) -> None:
        self.controller.backend.set_volume(value / 100)
        self.volume_changed.emit(value / 100)

    def _seek_released(self) -> None:
        self.controller.seek(self.seek_slider.value() / 1000)

    def refresh(self) -> None:
        """Poll the backend (one snapshot, a few array reads) for state and position.

        The times shown are those of the track the lines above name: a snapshot that names
        another one (the backend is a moment ahead of the track's start event, across a
        gapless boundary or after a play) leaves them as they are; the start event refreshes.
        """
        heard = self.controller.backend.snapshot()
        playing = heard.state == PlaybackState.PLAYING
        if self.play_button.property("playing") != playing:
            self.play_button.setProperty("playing", playing)
            self.play_button.setIcon(self._play_icons[playing])
        if heard.item is not None and not self._names(heard.item):
            return
        self.seek_slider.setMaximum(int(heard.duration_s * 1000))
        self.total.setText(format_duration(heard.duration_s))
        if not self.seek_slider.isSliderDown():
            self.seek_slider.setValue(int(heard.position_s * 1000))
            self.elapsed.setText(format_duration(heard.position_s))

    def _names(self, item: Playable) -> bool:
        """The now-playing lines name ``item``'s track."""
        shown, token = self.now_playing.track, token_of(item)
        return shown is not None and token is not None and shown.id == token.track_id
