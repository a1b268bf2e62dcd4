"""A drop-in for TensorBoard's `SummaryWriter` (torch.utils.tensorboard, tensorboardX).

    from streamvis.tensorboard import SummaryWriter   # was: from tensorboardX import ...
    writer = SummaryWriter(comment="lr0.1")
    writer.add_scalar("train/loss", loss, step)

One changed import line is all a typical script needs. The writer is a `DataLogger`
with inferred declarations (logger/infer.py): each tag becomes a series on its first
call. The mapping (docs/compat.md has the table):

- `add_scalar(tag, v, step)`: series `tag`, fields `step` and the tag's last part
  (`train/loss` -> series `train/loss`, fields `step`, `loss`): the same mapping as
  `streamvis.init(...).log` (quick.py), so `train/loss` and `val/loss` share a field.
- `add_scalars(main, {k: v}, step)`: each key as `add_scalar(f"{main}/{k}", v, step)`,
  which is what TensorBoard shows too.
- `add_histogram(tag, values, step)`: the raw values, flattened, as float rows of series
  `tag` at `step` (a histogram or heatmap plot bins them; `bins` and `max_bins` are
  the plot's business, not the writer's).
- `add_text(tag, text, step)`: one string row, the field declared with format
  `markdown` on first use (TensorBoard renders text as markdown; so does a text plot).
- `add_image(tag, img, step, dataformats="CHW")`: one `image` row (PNG), the array read
  as `dataformats` says (dropin_media.image_array; floats clipped to [0, 1]);
  `add_images(..., dataformats="NCHW")` N rows at the step (TensorBoard tiles them into
  one grid image instead); `add_figure(tag, fig)` a matplotlib figure (or a list: a row
  each) rendered to PNG, closed unless `close=False`.
- `add_audio(tag, snd, step, sample_rate)`: one `audio` row (WAV), from (L,), (1, L) or
  (L, channels) samples in [-1, 1].
- `add_video(tag, vid, step, fps)`: (N, T, C, H, W) as N `video` rows (MP4, needs the
  `video` extra: PyAV); the field's fps is the first call's.
- The media and text fields are declared on a tag's first call, as `{"type": "image"}`
  and so on (inference cannot guess them); a field name that exists keeps its type.
  An array that does not fit its call (shape, dataformats) raises InvalidArgumentError
  at the call, as TensorBoard raises; what `write` refuses follows `strict`.
- `add_hparams(hparams, metrics)`: hyperparameters as `config.*` run attributes (via
  `log_config`), metrics as `metric.*` attributes — searchable, like TensorBoard's
  hparams table.
- `log_dir`/`logdir`: the run's tag is its last part and `tensorboard.log_dir` an
  attribute; `comment` the attribute `tensorboard.comment`. Nothing is written to disk.
- `global_step=None` is step 0, as in TensorBoard; `walltime` (seconds since the
  epoch) is the rows' wall-clock `_time` (default: when the call is made);
  `display_name`, `summary_description`, `max_queue`, `flush_secs`, `purge_step`,
  `filename_suffix` and `write_to_disk` are accepted and have no effect.
- `add_pr_curve`, `add_embedding`, `add_graph` and `add_mesh` raise
  UnimplementedError: streamvis has no field type for them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

import numpy as np

from streamvis.dropin_media import MARKDOWN, audio_samples, image_array, step_series, video_array
from streamvis.logger import DataLogger, Delivery
from streamvis.logger.declare import FieldDecl
from streamvis.logger.media import Audio
from streamvis.model.errors import UnimplementedError
from streamvis.model.wallclock import TIME
from streamvis.quick import STEP, series_and_field

#: The attributes the constructor's arguments go to.
LOG_DIR_ATTRIBUTE = "tensorboard.log_dir"
COMMENT_ATTRIBUTE = "tensorboard.comment"
#: The prefixes of add_hparams' two dicts, as run attributes.
HPARAMS_PREFIX = "config."
METRICS_PREFIX = "metric."


def _step(global_step: Any) -> int:
    if global_step is None:
        return 0
    if type(global_step) is int:
        return global_step
    return operator.index(global_step)  # numpy ints, integer tensors


def _when(walltime: Any) -> dict[str, float]:
    """`walltime` (seconds since the epoch) as the write's own `_time`, if given."""
    return {} if walltime is None else {TIME: float(walltime)}


def _host_array(values: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    """A histogram's values as a flat float64 array on the host (as TensorBoard does)."""
    if hasattr(values, "detach"):  # a torch tensor, maybe on a device
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=np.float64).ravel()


class SummaryWriter:
    """TensorBoard's SummaryWriter, writing to a streamvis server (see the module doc).

    Beyond TensorBoard's arguments: `uri` of the server (default STREAMVIS_URI or
    localhost:8001), `tags` for the run, and any DataLogger argument by keyword.
    """

    def __init__(
        self,
        log_dir: str | Path | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: int = 120,
        filename_suffix: str = "",
        write_to_disk: bool = True,
        *,
        logdir: str | Path | None = None,
        uri: str | None = None,
        tags: tuple[str, ...] | list[str] = (),
        **options: Any,
    ) -> None:
        del purge_step, max_queue, flush_secs, filename_suffix, write_to_disk
        for ignored in ("comet_config",):  # tensorboardX-only arguments of no effect here
            options.pop(ignored, None)
        chosen = log_dir if log_dir is not None else logdir
        self.log_dir = str(chosen) if chosen is not None else ""
        run_tags = list(tags)
        attributes: dict[str, str] = {}
        if self.log_dir:
            attributes[LOG_DIR_ATTRIBUTE] = self.log_dir
            name = Path(self.log_dir).name
            if name:
                run_tags.append(name)
        if comment:
            attributes[COMMENT_ATTRIBUTE] = comment
        self.logger = DataLogger(uri, tags=run_tags, infer=True, **options).start()
        self._write = self.logger.write
        if attributes:
            self.logger.log_config(attributes, prefix="")
        #: tag -> (series, field): a tag is split once.
        self._names: dict[str, tuple[str, str]] = {}
        #: tag -> the logger's writer of its (step, value) pairs (add_scalar's fast path).
        self._puts: dict[str, Callable[[Any, Any], bool]] = {}
        #: The same for the tags whose series were declared (media, markdown).
        self._declared: dict[str, tuple[str, str]] = {}

    def get_logdir(self) -> str:
        """The log_dir given (TensorBoard's method; nothing is written there)."""
        return self.log_dir

    @property
    def run_handle(self) -> str:
        """The streamvis run this writer logs to."""
        return str(self.logger.run_handle)

    def _where(self, tag: str) -> tuple[str, str]:
        where = self._names.get(tag)
        if where is None:
            where = self._names[tag] = series_and_field(tag)
        return where

    # -- what TensorBoard writes -------------------------------------------------------

    def add_scalar(
        self, tag: str, scalar_value: Any, global_step: Any = None,
        walltime: float | None = None, display_name: str = "", summary_description: str = "",
        new_style: bool = False, double_precision: bool = False,
    ) -> None:
        """One value of series `tag` at `global_step`."""
        # The hot call of a training loop: one look-up, then the logger's two-field
        # writer (DataLogger.pair_writer) queues a float at an int step as `write`
        # would; anything else (numpy, tensors, no step, a first call) goes the long way.
        put = self._puts.get(tag)
        if put is None or walltime is not None or not put(global_step, scalar_value):
            self._add_scalar(tag, scalar_value, global_step, walltime)

    def _add_scalar(self, tag: str, value: Any, global_step: Any, walltime: Any) -> None:
        series, field = self._where(tag)
        if tag not in self._puts:
            self._puts[tag] = self.logger.pair_writer(series, STEP, field)
        self._write(series, **{STEP: _step(global_step), field: value}, **_when(walltime))

    def add_scalars(
        self, main_tag: str, tag_scalar_dict: Mapping[str, Any], global_step: Any = None,
        walltime: float | None = None,
    ) -> None:
        """Each value as `add_scalar(f"{main_tag}/{key}", value, global_step)`."""
        step = _step(global_step)
        for key, value in tag_scalar_dict.items():
            self.add_scalar(f"{main_tag}/{key}", value, step)

    def add_histogram(
        self, tag: str, values: Any, global_step: Any = None, bins: Any = "tensorflow",
        walltime: float | None = None, max_bins: int | None = None,
    ) -> None:
        """The raw values (flattened, as floats) as rows of series `tag` at the step."""
        series, field = self._where(tag)
        self.logger.write(series, **{STEP: _step(global_step), field: _host_array(values)},
                          **_when(walltime))

    def add_text(
        self, tag: str, text_string: str, global_step: Any = None,
        walltime: float | None = None,
    ) -> None:
        """One markdown string row of series `tag` at the step (TensorBoard renders
        text as markdown; a text plot of the field does too)."""
        self._media_write(tag, MARKDOWN, global_step, str(text_string), walltime)

    def add_hparams(
        self, hparam_dict: Mapping[str, Any], metric_dict: Mapping[str, Any],
        hparam_domain_discrete: Any = None, run_name: str | None = None,
        name: str | None = None, global_step: Any = None,
    ) -> None:
        """Hyperparameters as `config.*` run attributes, metrics as `metric.*` ones."""
        self.logger.log_config(dict(hparam_dict), HPARAMS_PREFIX)
        metrics = {k: v.item() if hasattr(v, "item") else v for k, v in metric_dict.items()}
        self.logger.log_config(metrics, METRICS_PREFIX)

    def flush(self) -> None:
        """Send what was written so far and wait for the server's acknowledgement."""
        self.logger.flush()

    def close(self) -> Delivery:
        """Flush and stop; the writer logs nothing after this."""
        return self.logger.stop()

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.logger.__exit__(exc_type, exc, tb)

    # -- media -------------------------------------------------------------------------

    def _media_write(
        self, tag: str, decl: FieldDecl, global_step: Any, value: Any, walltime: Any = None
    ) -> None:
        where = self._declared.get(tag)
        if where is None:
            where = self._declared[tag] = step_series(self.logger, tag, decl)
        self.logger.write(where[0], **{STEP: _step(global_step), where[1]: value},
                          **_when(walltime))

    def add_image(
        self, tag: str, img_tensor: Any, global_step: Any = None,
        walltime: float | None = None, dataformats: str = "CHW",
    ) -> None:
        """One image (laid out as `dataformats`) in series `tag` at the step."""
        self._media_write(tag, "image", global_step, image_array(img_tensor, dataformats),
                          walltime)

    def add_images(
        self, tag: str, img_tensor: Any, global_step: Any = None,
        walltime: float | None = None, dataformats: str = "NCHW",
    ) -> None:
        """N images as N rows of series `tag`, all at the step (TensorBoard tiles them
        into one grid image; rows keep each image whole and separate)."""
        self._media_write(tag, "image", global_step, image_array(img_tensor, dataformats),
                          walltime)

    def add_figure(
        self, tag: str, figure: Any, global_step: Any = None, close: bool = True,
        walltime: float | None = None,
    ) -> None:
        """A matplotlib figure (or a list of them, a row each) rendered to PNG now."""
        figures = figure if isinstance(figure, list | tuple) else [figure]
        for fig in figures:
            self._media_write(tag, "image", global_step, fig, walltime)
            if close:
                import matplotlib.pyplot as plt  # noqa: PLC0415 -- only with a figure

                plt.close(fig)

    def add_audio(
        self, tag: str, snd_tensor: Any, global_step: Any = None,
        sample_rate: int = 44100, walltime: float | None = None,
    ) -> None:
        """A clip ((L,), (1, L) or (L, channels) in [-1, 1]) as a WAV row of `tag`."""
        clip = Audio(audio_samples(snd_tensor), int(sample_rate))
        self._media_write(tag, "audio", global_step, clip, walltime)

    def add_video(
        self, tag: str, vid_tensor: Any, global_step: Any = None, fps: float = 4,
        walltime: float | None = None,
    ) -> None:
        """N videos ((N, T, C, H, W)) as N MP4 rows of `tag` at the step; the field's
        fps is the first call's (a field's options never change)."""
        frames = video_array(vid_tensor)
        self._media_write(tag, {"type": "video", "options": {"fps": float(fps)}},
                          global_step, frames, walltime)

    # -- not in streamvis ----------------------------------------------------------------

    def _unsupported(self, call: str) -> NoReturn:
        raise UnimplementedError(
            f"SummaryWriter.{call} is not in the streamvis drop-in (PR curves, embeddings, "
            "graphs and meshes have no streamvis field type): remove the call, or keep a "
            "tensorboardX writer beside this one for it; scalars, histograms, images, "
            "figures, audio, video, text and hparams are logged"
        )

    def add_pr_curve(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._unsupported("add_pr_curve")

    def add_embedding(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._unsupported("add_embedding")

    def add_graph(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._unsupported("add_graph")

    def add_mesh(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._unsupported("add_mesh")
