"""A recording's media grouped by kind, from its prefetched assets: what the output serializers read."""

from dataclasses import dataclass

from django.db.models.fields.files import FieldFile

from .models import Recording, RecordingAsset

DEFAULT_RUNG = "360p"


@dataclass(frozen=True)
class RecordingMedia:
    """A recording's prefetched assets grouped by kind: what the output serializers read."""

    renditions: list[RecordingAsset]  # video rungs, smallest first
    audio: RecordingAsset | None
    poster: RecordingAsset | None
    captions: list[RecordingAsset]
    video: RecordingAsset | None  # the default rung
    subtitles: RecordingAsset | None  # captions in the recording's language, else the first
    original: FieldFile | None  # the uploaded file, for those who may preview it

    @property
    def playable(self) -> FieldFile | None:
        """The default rung, else (not transcoded yet) the original where it may be shown."""
        return self.video.file if self.video else self.original


def recording_media(
    recording: Recording, *, audio_only: bool = False, include_original: bool = False
) -> RecordingMedia:
    """The media of a recording, from its prefetched assets (no query). ``audio_only``: the
    low-bandwidth player's view, without video renditions."""
    videos, audio, poster, captions = [], None, None, []
    for asset in recording.assets.all():
        if asset.kind == RecordingAsset.Kind.VIDEO:
            videos.append(asset)
        elif asset.kind == RecordingAsset.Kind.AUDIO:
            audio = asset
        elif asset.kind == RecordingAsset.Kind.POSTER:
            poster = asset
        elif asset.kind == RecordingAsset.Kind.CAPTION:
            captions.append(asset)
    videos.sort(key=lambda a: a.height)
    default = next((v for v in videos if v.label == DEFAULT_RUNG), videos[0] if videos else None)
    subtitles = next((c for c in captions if c.label == recording.language), captions[0] if captions else None)
    return RecordingMedia(
        renditions=[] if audio_only else videos,
        audio=audio,
        poster=poster,
        captions=captions,
        video=None if audio_only else default,
        subtitles=subtitles,
        original=recording.original if include_original and recording.original else None,
    )
