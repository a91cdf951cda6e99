"""A small tagged classical library for the window tests, made with soundfile and mutagen."""

from __future__ import annotations

from pathlib import Path

from tests.library.audio_files import tag_vorbis, write_audio

# (composer, work, [(movement, seconds)])
WORKS = [
    (
        "Johann Sebastian Bach",
        "Brandenburg Concerto No. 3 in G major, BWV 1048",
        [("Allegro", 6.0), ("Adagio", 2.0), ("Allegro", 2.0)],
    ),
    (
        "Wolfgang Amadeus Mozart",
        "String Quartet No. 19 in C major, K. 465",
        [("Adagio – Allegro", 2.0), ("Andante cantabile", 2.0)],
    ),
    ("Giovanni Pierluigi da Palestrina", "Missa Papae Marcelli", [("Kyrie", 2.0)]),
]


def make_library(folder: Path, works=WORKS) -> Path:
    """Write each movement as a tagged OGG file (track files in reverse, so order comes from tags)."""
    for w, (composer, work, movements) in enumerate(works):
        for number, (movement, seconds) in reversed(list(enumerate(movements, 1))):
            path = write_audio(
                folder / f"work{w}" / f"{len(movements) - number:02d}.ogg",
                seconds=seconds,
                freq=220.0 + 55 * number,
            )
            tag_vorbis(
                path,
                composer=composer,
                work=work,
                movementname=movement,
                movement=str(number),
                movementtotal=str(len(movements)),
                title=movement,
                tracknumber=str(number),
                performer="Continuo test ensemble",
            )
    return folder
