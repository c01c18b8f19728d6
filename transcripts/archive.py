"""The stream's audio kept per room, as raw PCM in segment files named by their start time."""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import threading
import wave
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE = 16_000  # Hz, mono
SAMPLE_BYTES = 2  # signed 16-bit little-endian
SEGMENT_S = 60  # longest segment file, seconds (1.92 MB)
MAX_READ_S = 15 * 60  # longest range read_wav returns, seconds
SEGMENT_SAMPLES = SEGMENT_S * SAMPLE_RATE
MAX_READ_SAMPLES = MAX_READ_S * SAMPLE_RATE
# A chunk starting this close to where the last one ended continues it: a clock kept in float
# seconds can round a start one sample either way, which must not split or overlap the stream.
JITTER_SAMPLES = 2
# Longer encoded room ids are cut and given a hash suffix: file names stop at 255 bytes.
MAX_DIR_NAME = 200
# A file name is its start second with seven decimals, exact for a 16 kHz sample
# (1 / 16000 s = 0.0000625 s): "000000075.0000625.pcm".
FRACTION_UNITS = 10_000_000 // SAMPLE_RATE
SEGMENT_NAME = re.compile(r"^(\d+)\.(\d{7})\.pcm$")
SAFE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass
class _Segment:
    """One file: a contiguous run of samples starting at `start` (both in samples)."""

    start: int
    length: int
    path: Path

    @property
    def end(self) -> int:
        return self.start + self.length

    def takes(self, position: int) -> bool:
        """Whether a write at `position` continues or overwrites this file (never leaves a hole)."""
        return self.start <= position <= self.end and position < self.start + SEGMENT_SAMPLES


@dataclass
class _Tail:
    """The file a room's last append ended in, kept open so the next chunk is one write."""

    segment: _Segment
    fd: int
    limit: int  # the sample at which this file must stop (full, or the next file begins)


def room_dir_name(room_id: str) -> str:
    """A directory name for a room id: injective, no separators, dots or other specials."""
    if not room_id:
        raise ValueError("the room id is empty")
    encoded = "".join(
        chr(b) if chr(b) in SAFE_CHARS else f"%{b:02X}" for b in room_id.encode("utf-8")
    )
    if len(encoded) <= MAX_DIR_NAME:
        return encoded
    # '~' never appears in an encoded id, so these names cannot meet the short ones.
    digest = hashlib.sha256(room_id.encode("utf-8")).hexdigest()
    return f"{encoded[: MAX_DIR_NAME - len(digest) - 1]}~{digest}"


def _segment_name(start: int) -> str:
    whole, rest = divmod(start, SAMPLE_RATE)
    return f"{whole:09d}.{rest * FRACTION_UNITS:07d}.pcm"


def _sample(seconds: float, what: str) -> int:
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{what} must be a finite number of seconds, 0 or more; got {seconds}")
    return round(seconds * SAMPLE_RATE)


class AudioArchive:
    """Each room's stream audio (16 kHz mono s16le) in files of at most SEGMENT_S seconds.

    Files never overlap; a file holds what was recorded from its start with no hole, so the
    files list exactly what was recorded. One process writes a room; any may read.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._tails: dict[str, _Tail] = {}

    def append(self, room_id: str, start_s: float, pcm: bytes) -> None:
        """Store PCM that begins at stream second `start_s`, over whatever was there."""
        if len(pcm) % SAMPLE_BYTES:
            raise ValueError(f"PCM is s16: {len(pcm)} bytes is not a whole number of samples")
        position = _sample(start_s, "start_s")
        folder = self.root / room_dir_name(room_id)
        if not pcm:
            return
        with self._lock:
            tail = self._tails.get(room_id)
            if tail is not None and abs(position - tail.segment.end) <= JITTER_SAMPLES:
                position = tail.segment.end
                if position + len(pcm) // SAMPLE_BYTES <= tail.limit:
                    os.pwrite(tail.fd, pcm, tail.segment.length * SAMPLE_BYTES)
                    tail.segment.length += len(pcm) // SAMPLE_BYTES
                    return
            self._write(room_id, folder, position, pcm)

    def read_wav(self, room_id: str, start_s: float, end_s: float) -> bytes:
        """A WAV of [start_s, end_s] clamped to the recording; silence where nothing was recorded.

        Raises ValueError for a bad or too long range, LookupError when nothing in it was recorded.
        """
        first, last = _sample(start_s, "start"), _sample(end_s, "end")
        if last <= first:
            raise ValueError(f"end ({end_s}) must be after start ({start_s})")
        if last - first > MAX_READ_SAMPLES:
            raise ValueError(f"at most {MAX_READ_S} s at a time; asked for {end_s - start_s:g} s")
        with self._lock:
            segments = self._segments(self.root / room_dir_name(room_id))
            if segments:
                first = max(first, segments[0].start)
                last = min(last, segments[-1].end)
            overlapping = [s for s in segments if s.start < last and s.end > first]
            if not overlapping:
                raise LookupError(f"nothing recorded for room {room_id!r} in that range")
            pcm = bytearray((last - first) * SAMPLE_BYTES)
            for segment in overlapping:
                lo, hi = max(first, segment.start), min(last, segment.end)
                with segment.path.open("rb") as file:
                    file.seek((lo - segment.start) * SAMPLE_BYTES)
                    chunk = file.read((hi - lo) * SAMPLE_BYTES)
                at = (lo - first) * SAMPLE_BYTES
                pcm[at : at + len(chunk)] = chunk
        return _wav(bytes(pcm))

    def extent(self, room_id: str) -> tuple[float, float] | None:
        """The first and last recorded second of a room; None if nothing was recorded."""
        with self._lock:
            segments = self._segments(self.root / room_dir_name(room_id))
        if not segments:
            return None
        return segments[0].start / SAMPLE_RATE, segments[-1].end / SAMPLE_RATE

    def close(self) -> None:
        """Close the files kept open for appending."""
        with self._lock:
            for tail in self._tails.values():
                os.close(tail.fd)
            self._tails.clear()

    def _write(self, room_id: str, folder: Path, position: int, pcm: bytes) -> None:
        """Split PCM over existing and new files; the caller holds the lock."""
        folder.mkdir(parents=True, exist_ok=True)
        segments = self._segments(folder)
        starts = [s.start for s in segments]
        done = 0
        while done < len(pcm):
            index = bisect_right(starts, position) - 1
            before = segments[index] if index >= 0 else None
            if before is not None and before.takes(position):
                segment = before
            else:
                segment = _Segment(position, 0, folder / _segment_name(position))
                index += 1
                segments.insert(index, segment)
                starts.insert(index, position)
            limit = segment.start + SEGMENT_SAMPLES
            if index + 1 < len(segments):
                limit = min(limit, segments[index + 1].start)
            count = min(len(pcm) - done, (limit - position) * SAMPLE_BYTES)
            fd = self._open(room_id, segment, limit)
            os.pwrite(fd, pcm[done : done + count], (position - segment.start) * SAMPLE_BYTES)
            segment.length = max(segment.length, position - segment.start + count // SAMPLE_BYTES)
            position += count // SAMPLE_BYTES
            done += count

    def _open(self, room_id: str, segment: _Segment, limit: int) -> int:
        """The room's tail becomes this file (opened once), so following chunks take one write."""
        tail = self._tails.get(room_id)
        if tail is not None and tail.segment.path == segment.path:
            tail.segment, tail.limit = segment, limit
            return tail.fd
        if tail is not None:
            os.close(tail.fd)
        fd = os.open(segment.path, os.O_RDWR | os.O_CREAT, 0o644)
        self._tails[room_id] = _Tail(segment, fd, limit)
        return fd

    @staticmethod
    def _segments(folder: Path) -> list[_Segment]:
        """The room's files by start, read from disk so other processes' writes are seen."""
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            return []
        found = []
        for entry in entries:
            match = SEGMENT_NAME.match(entry.name)
            if match is None:
                continue
            length = entry.stat().st_size // SAMPLE_BYTES
            if length:
                start = int(match[1]) * SAMPLE_RATE + int(match[2]) // FRACTION_UNITS
                found.append(_Segment(start, length, Path(entry.path)))
        return sorted(found, key=lambda s: s.start)


def _wav(pcm: bytes) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_BYTES)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm)
    return buffer.getvalue()
