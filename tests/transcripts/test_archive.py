"""The audio archive on a real folder: segment files, gaps, overwrites, room ids, limits."""

from __future__ import annotations

import io
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from transcripts.archive import (
    MAX_READ_S,
    SAFE_CHARS,
    SAMPLE_RATE,
    SEGMENT_S,
    AudioArchive,
    room_dir_name,
)

CHUNK_S = 0.37  # not a divisor of the segment length, so chunks straddle file boundaries


def tone(seconds: float, seed: int = 0) -> np.ndarray:
    """Noise that differs everywhere, so a misplaced sample shows."""
    rng = np.random.default_rng(seed)
    return rng.integers(-20_000, 20_000, round(seconds * SAMPLE_RATE), dtype=np.int16)


def stream(archive: AudioArchive, room: str, start_s: float, samples: np.ndarray) -> None:
    """Append like a live feed: consecutive chunks of CHUNK_S seconds."""
    step = round(CHUNK_S * SAMPLE_RATE)
    for offset in range(0, len(samples), step):
        chunk = samples[offset : offset + step].astype("<i2").tobytes()
        archive.append(room, start_s + offset / SAMPLE_RATE, chunk)


def read(archive: AudioArchive, room: str, start_s: float, end_s: float) -> np.ndarray:
    """The samples of a WAV read back, after checking its format."""
    with wave.open(io.BytesIO(archive.read_wav(room, start_s, end_s))) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def at(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE)


def test_round_trip_across_segment_files(tmp_path: Path) -> None:
    archive = AudioArchive(tmp_path)
    audio = tone(2 * SEGMENT_S + 10)
    stream(archive, "room-1", 0, audio)

    assert np.array_equal(read(archive, "room-1", 0, 2 * SEGMENT_S + 10), audio)
    boundary = read(archive, "room-1", SEGMENT_S - 0.5, SEGMENT_S + 0.5)
    assert np.array_equal(boundary, audio[at(SEGMENT_S - 0.5) : at(SEGMENT_S + 0.5)])
    files = sorted((tmp_path / "room-1").iterdir())
    assert [f.name[:9] for f in files] == ["000000000", "000000060", "000000120"]
    assert max(f.stat().st_size for f in files) == SEGMENT_S * SAMPLE_RATE * 2
    # Another instance (another process) reads the same files.
    assert np.array_equal(
        read(AudioArchive(tmp_path), "room-1", 100, 101), audio[at(100) : at(101)]
    )


def test_a_float_clock_does_not_split_the_stream(tmp_path: Path) -> None:
    archive = AudioArchive(tmp_path)
    audio = tone(10, seed=9)
    clock_start = 96 + 0.5 / SAMPLE_RATE  # half a sample: starts round either way
    step = 320  # 20 ms
    for offset in range(0, len(audio), step):
        archive.append(
            "room", clock_start + offset / SAMPLE_RATE, audio[offset : offset + step].tobytes()
        )
    assert len(list((tmp_path / "room").iterdir())) == 1
    start, end = archive.extent("room") or (0, 0)
    assert end - start == 10
    assert np.array_equal(read(archive, "room", start, end), audio)


def test_gaps_read_as_silence_and_a_later_stream_continues(tmp_path: Path) -> None:
    first, second = tone(3, seed=1), tone(4, seed=2)
    stream(AudioArchive(tmp_path), "room", 10, first)
    stream(AudioArchive(tmp_path), "room", 20.5, second)  # restarted later on the clock

    archive = AudioArchive(tmp_path)
    assert archive.extent("room") == (10, 24.5)
    whole = read(archive, "room", 0, 100)  # clamped to 10 .. 24.5
    assert len(whole) == at(14.5)
    assert np.array_equal(whole[: at(3)], first)
    assert not whole[at(3) : at(10.5)].any()
    assert np.array_equal(whole[at(10.5) :], second)
    with pytest.raises(LookupError):
        archive.read_wav("room", 14, 19)  # only the gap
    with pytest.raises(LookupError):
        archive.read_wav("room", 30, 40)  # after the end


def test_writing_over_a_range_replaces_it(tmp_path: Path) -> None:
    archive = AudioArchive(tmp_path)
    old, new, tail = tone(SEGMENT_S + 10, seed=3), tone(4, seed=4), tone(3, seed=5)
    stream(archive, "room", 0, old)
    archive.append("room", SEGMENT_S - 2, new.tobytes())  # across the boundary of two files
    archive.append("room", SEGMENT_S + 9, tail.tobytes())  # over the end, and past it

    expected = np.concatenate([old, np.zeros(at(2), dtype=np.int16)])
    expected[at(SEGMENT_S - 2) : at(SEGMENT_S + 2)] = new
    expected[at(SEGMENT_S + 9) :] = tail
    assert archive.extent("room") == (0, SEGMENT_S + 12)
    assert np.array_equal(read(archive, "room", 0, SEGMENT_S + 12), expected)
    # Consecutive appends after an overwrite go on from where it ended.
    archive.append("room", SEGMENT_S + 12, new.tobytes())
    assert np.array_equal(read(archive, "room", SEGMENT_S + 12, SEGMENT_S + 16), new)


def test_bad_input_is_a_value_error(tmp_path: Path) -> None:
    archive = AudioArchive(tmp_path)
    with pytest.raises(ValueError, match="3 bytes"):
        archive.append("room", 0, b"\x00\x01\x02")
    for start in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="start"):
            archive.append("room", start, b"\x00\x00")
    with pytest.raises(ValueError, match="empty"):
        archive.append("", 0, b"\x00\x00")
    archive.append("room", 0, tone(1).tobytes())
    with pytest.raises(ValueError, match="after start"):
        archive.read_wav("room", 0.5, 0.2)
    with pytest.raises(ValueError):
        archive.read_wav("room", float("nan"), 1)
    assert archive.extent("room") == (0, 1)  # nothing of the bad calls was stored


def test_room_ids_become_safe_distinct_folders(tmp_path: Path) -> None:
    root = tmp_path / "audio"
    archive = AudioArchive(root)
    rooms = [
        "../escape",
        "..",
        ".",
        "a/b",
        "a%2Fb",
        "a%2fb",
        "直播间",
        "A",
        "a",
        "x" * 64,
        "好" * 64,
    ]
    for n, room in enumerate(rooms):
        archive.append(room, 0, tone(0.1, seed=n).tobytes())

    folders = sorted(root.iterdir())
    assert len(folders) == len(rooms)  # injective
    assert sorted(tmp_path.iterdir()) == [root]  # nothing written outside the root
    for folder in folders:
        assert folder.is_dir() and folder.name not in {".", ".."} and len(folder.name) <= 255
        assert set(folder.name) <= SAFE_CHARS | {"%", "~"}
    for n, room in enumerate(rooms):
        assert np.array_equal(read(archive, room, 0, 0.1), tone(0.1, seed=n))
    assert room_dir_name("直播间") == "%E7%9B%B4%E6%92%AD%E9%97%B4"


def test_extent(tmp_path: Path) -> None:
    archive = AudioArchive(tmp_path)
    assert archive.extent("room") is None
    archive.append("room", 75.25, b"")
    assert archive.extent("room") is None  # nothing recorded yet
    stream(archive, "room", 75.25, tone(2))
    assert archive.extent("room") == (75.25, 77.25)
    archive.append("room", 3600, tone(1).tobytes())
    assert archive.extent("room") == (75.25, 3601)


def test_reads_are_bounded_in_length(tmp_path: Path) -> None:
    archive = AudioArchive(tmp_path)
    archive.append("room", 0, tone(1).tobytes())
    assert len(read(archive, "room", 0, MAX_READ_S)) == SAMPLE_RATE  # clamped to what exists
    with pytest.raises(ValueError, match=f"at most {MAX_READ_S}"):
        archive.read_wav("room", 0, MAX_READ_S + 1)


def test_one_writer_and_concurrent_readers(tmp_path: Path) -> None:
    archive = AudioArchive(tmp_path)
    audio = tone(SEGMENT_S + 5, seed=7)
    done = threading.Event()
    failures: list[BaseException] = []

    def reader() -> None:
        while not done.is_set():
            try:
                extent = archive.extent("room")
                if extent is not None:
                    got = read(archive, "room", extent[0], extent[1])
                    assert np.array_equal(got, audio[: len(got)])
            except BaseException as exc:  # reported by the main thread
                failures.append(exc)
                return

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        stream(archive, "room", 0, audio)
    finally:
        done.set()
        for thread in readers:
            thread.join()
    assert not failures, failures
    assert np.array_equal(read(archive, "room", 0, SEGMENT_S + 5), audio)
    archive.close()
