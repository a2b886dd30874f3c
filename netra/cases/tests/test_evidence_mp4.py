"""MP4 evidence: an allow-list of boxes, tracks that are not picture or sound dropped with their samples.

Real files from ffmpeg (imageio-ffmpeg's static build): a video with sound, a subtitle track
whose samples are GPS positions (how dashcams and some phones log the route), and the usual
metadata tags; the cleaned file decoded again frame by frame.
"""

import functools
import subprocess
import tempfile
import time
from pathlib import Path

import imageio_ffmpeg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from netra.cases import evidence

GPS_TEXT = "GPS -1.876800 113.415000 Nama Pelapor"


def ffmpeg(*args: str) -> subprocess.CompletedProcess:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", *args]
    return subprocess.run(command, capture_output=True, check=True, timeout=60)


def streams(path) -> str:
    """ffmpeg's own description of the streams it finds (``-i`` alone lists them and exits non-zero)."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-i", str(path)]
    return subprocess.run(command, capture_output=True, timeout=60).stderr.decode()


def decoded(path, stream: str) -> list[bytes]:
    lines = ffmpeg("-i", str(path), "-map", stream, "-f", "framemd5", "-").stdout.splitlines()
    return [line for line in lines if not line.startswith(b"#")]


@pytest.fixture
def recording(tmp_path):
    """1 s of video and sound, a timed-text track of GPS fixes, and location/comment tags."""
    track = tmp_path / "gps.srt"
    track.write_text(
        "".join(f"{n + 1}\n00:00:0{n},000 --> 00:00:0{n},500\n{GPS_TEXT} {n}\n\n" for n in range(2)), encoding="utf-8"
    )
    path = tmp_path / "rekaman.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=duration=1:size=64x48:rate=10",
           "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
           "-i", str(track),
           "-map", "0", "-map", "1", "-map", "2", "-c:v", "mpeg4", "-c:a", "aac", "-c:s", "mov_text",
           "-metadata", "location=-1.8768+113.4150/", "-metadata", "comment=Direkam oleh Nama Pelapor",
           "-metadata:s:v:0", "title=HP Nama Pelapor", str(path))  # fmt: skip
    return path


def clean(path, tmp_path):
    cleaned = evidence.clean(SimpleUploadedFile("rekaman.mp4", path.read_bytes(), content_type="video/mp4"))
    kept = tmp_path / "kept.mp4"
    kept.write_bytes(cleaned.data)
    return cleaned, kept


def test_a_gps_text_track_is_dropped_with_its_samples_and_picture_and_sound_still_decode(recording, tmp_path):
    original = recording.read_bytes()
    assert GPS_TEXT.encode() in original and "Subtitle: mov_text" in streams(recording)

    cleaned, kept = clean(recording, tmp_path)

    assert cleaned.metadata_removed and len(cleaned.data) == len(original)  # blanked in place
    assert b"Nama Pelapor" not in cleaned.data and b"GPS" not in cleaned.data
    found = streams(kept)
    assert "Video: mpeg4" in found and "Audio: aac" in found and "Subtitle" not in found
    assert decoded(kept, "0:v") == decoded(recording, "0:v")  # every frame, the same pixels
    assert decoded(kept, "0:a") == decoded(recording, "0:a")  # and the same sound


@pytest.mark.parametrize(
    ("handler", "sample_entry"),
    [(b"meta", b"gpmd"), (b"camm", b"camm"), (b"data", b"mett")],
    ids=["gopro", "camm", "data"],
)
def test_a_timed_metadata_track_is_dropped_with_its_samples(recording, tmp_path, handler, sample_entry):
    # The GPS text track made into what a GoPro (``meta``/``gpmd``), a 360° camera (``camm``) or
    # another recorder writes: the same samples under another handler and sample description.
    data = recording.read_bytes()
    data = data.replace(b"sbtl", handler, 1).replace(b"tx3g", sample_entry, 1)
    retagged = tmp_path / "gpmd.mp4"
    retagged.write_bytes(data)

    cleaned, kept = clean(retagged, tmp_path)

    assert b"GPS" not in cleaned.data and sample_entry not in cleaned.data
    assert "Subtitle" not in streams(kept) and "Data" not in streams(kept)
    assert decoded(kept, "0:v") == decoded(recording, "0:v")


def test_handler_names_and_tags_are_blanked(recording, tmp_path):
    _cleaned, kept = clean(recording, tmp_path)
    tags = ffmpeg("-i", str(kept), "-f", "ffmetadata", "-").stdout.decode()
    assert "location" not in tags and "comment" not in tags and "Nama Pelapor" not in tags
    assert b"Handler" not in kept.read_bytes()  # ffmpeg names its tracks "VideoHandler", "SoundHandler"


def box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def test_unknown_boxes_anywhere_are_blanked(recording, tmp_path):
    # A vendor box at the top, a uuid box (as some phones write) and padding with a page in it.
    vendored = tmp_path / "vendor.mp4"
    vendored.write_bytes(
        recording.read_bytes()
        + box(b"Xvnd", b"Nama Pelapor HP-1234")
        + box(b"uuid", b"\x01" * 16 + b"Nama Pelapor")
        + box(b"skip", b"<html><script>alert(1)</script>")
    )
    cleaned, kept = clean(vendored, tmp_path)
    assert b"Nama Pelapor" not in cleaned.data and b"HP-1234" not in cleaned.data and b"<script" not in cleaned.data
    assert decoded(kept, "0:v") == decoded(recording, "0:v")


def test_a_timed_metadata_track_in_a_fragmented_file_is_refused(recording, tmp_path):
    fragmented = tmp_path / "frag.mp4"
    ffmpeg("-i", str(recording), "-map", "0", "-c", "copy", "-movflags", "frag_keyframe+empty_moov", str(fragmented))
    with pytest.raises(evidence.FileRejected) as raised:
        clean(fragmented, tmp_path)
    assert "tidak dapat dibaca untuk menghapus data pribadinya" in raised.value.message


def test_a_fragmented_video_with_only_picture_and_sound_is_kept_playable(recording, tmp_path):
    fragmented = tmp_path / "frag.mp4"
    ffmpeg("-i", str(recording), "-map", "0:v", "-map", "0:a", "-c", "copy", "-movflags", "frag_keyframe+empty_moov",
           str(fragmented))  # fmt: skip
    _cleaned, kept = clean(fragmented, tmp_path)
    assert decoded(kept, "0:v") == decoded(fragmented, "0:v")


@functools.cache
def _real_recording() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        track = Path(folder) / "gps.srt"
        track.write_text(f"1\n00:00:00,000 --> 00:00:00,500\n{GPS_TEXT}\n\n", encoding="utf-8")
        path = Path(folder) / "r.mp4"
        ffmpeg("-f", "lavfi", "-i", "testsrc=duration=0.5:size=32x24:rate=10", "-i", str(track),
               "-map", "0", "-map", "1", "-c:v", "mpeg4", "-c:s", "mov_text", str(path))  # fmt: skip
        return path.read_bytes()


def test_bytes_in_mdat_that_belong_to_no_kept_track_are_zeroed(recording, tmp_path):
    # The GPS track's index damaged (its trak no longer a trak): its samples are orphans in mdat.
    data = recording.read_bytes()
    subtitle = data.index(b"sbtl")
    trak = data.rindex(b"trak", 0, subtitle)
    orphaned = tmp_path / "orphan.mp4"
    orphaned.write_bytes(data[:trak] + b"Xtrk" + data[trak + 4 :])

    cleaned, kept = clean(orphaned, tmp_path)

    assert b"GPS" not in cleaned.data
    assert decoded(kept, "0:v") == decoded(recording, "0:v")
    assert decoded(kept, "0:a") == decoded(recording, "0:a")


def test_a_forged_entry_count_is_refused_at_once():
    data = bytearray(_real_recording())
    stco = data.index(b"stco")  # the sample table of the video track
    data[stco + 8 : stco + 12] = (0xFFFFFFFF).to_bytes(4, "big")
    started = time.process_time()
    with pytest.raises(evidence.FileRejected):
        evidence.clean(SimpleUploadedFile("v.mp4", bytes(data)))
    assert time.process_time() - started < 0.5


# Random corruption of a real recording (box sizes, counts, offsets): refused or cleaned, never a crash.
@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(at=st.integers(min_value=0), junk=st.binary(min_size=1, max_size=8), cut=st.booleans())
def test_a_corrupted_recording_never_crashes(at, junk, cut):
    real = _real_recording()
    at %= len(real)
    mutated = real[:at] + junk + (b"" if cut else real[at + len(junk) :])
    try:
        cleaned = evidence.clean(SimpleUploadedFile("v.mp4", mutated))
    except evidence.FileRejected as rejected:
        assert rejected.code in {"validation_error", "unsupported_media_type"}
    else:
        assert GPS_TEXT.encode() not in cleaned.data
