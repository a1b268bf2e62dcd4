"""`logger.image`: an image row and its bounding boxes, in one call (like lavd's log_image).

Boxes are data like any other: a series of their own (`<series>.boxes` unless named),
one row per box, with the image's key fields (`keys`, default `step`) so a panel joins
them to the image rows, and the box fields `box.x0`, `box.y0`, `box.x1`, `box.y1`
(pixels, float), `box.label` (string) and `box.score` (float). The box fields and the
series are declared on first use, through the ordered queue like `declare`.

A batch of N images (an (N, H, W, C) array with N steps) takes its boxes as a sequence
of N (K_i, 4) arrays, labels and scores likewise; an image without boxes adds no rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from streamvis.client import Client
from streamvis.logger.declare import FieldDecl, SchemaCache
from streamvis.model.errors import InvalidArgumentError, StreamvisError

#: The box series' own fields and their types.
BOX_FIELDS: dict[str, str] = {
    "box.x0": "float", "box.y0": "float", "box.x1": "float", "box.y1": "float",
    "box.label": "string", "box.score": "float",
}


def _per_image(value: Any, n: int | None, what: str) -> list[Any]:
    """`value` as one entry per image (a batch of n) or [value] (one image)."""
    if n is None:
        return [value]
    if not isinstance(value, Sequence | np.ndarray) or len(value) != n:
        raise InvalidArgumentError(
            f"{what} for a batch of {n} images must be a sequence of {n} entries, one per image"
        )
    return list(value)


def _key_value(value: Any, i: int, n: int | None) -> Any:
    if n is None or np.ndim(value) == 0:
        return value
    arr = np.asarray(value)
    if arr.shape[0] != n:
        raise InvalidArgumentError(
            f"a key field's value has {arr.shape[0]} entries for a batch of {n} images"
        )
    return arr[i].item()


def _box_rows(boxes: Any, labels: Any, scores: Any, classes: Sequence[str] | None
              ) -> dict[str, Any] | None:
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.size == 0:
        return None
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise InvalidArgumentError(
            f"boxes must be (K, 4) as x0, y0, x1, y1 in pixels; got shape {arr.shape}"
        )
    k = arr.shape[0]
    if labels is None:
        names = [""] * k
    else:
        raw = list(np.asarray(labels).reshape(-1).tolist())
        if len(raw) != k:
            raise InvalidArgumentError(f"{len(raw)} labels for {k} boxes: give one per box")
        if classes is not None and all(isinstance(x, int) for x in raw):
            if any(not 0 <= x < len(classes) for x in raw):
                raise InvalidArgumentError(
                    f"a label is outside classes (0..{len(classes) - 1}): check the labels"
                )
            names = [classes[x] for x in raw]
        else:
            names = [str(x) for x in raw]
    score = np.ones(k) if scores is None else np.asarray(scores, dtype=np.float64).reshape(-1)
    if score.shape[0] != k:
        raise InvalidArgumentError(f"{score.shape[0]} scores for {k} boxes: give one per box")
    return {"box.x0": arr[:, 0], "box.y0": arr[:, 1], "box.x1": arr[:, 2],
            "box.y1": arr[:, 3], "box.label": np.array(names, dtype=np.str_),
            "box.score": score}


class LogsImages:
    """The `image` method of DataLogger and AsyncDataLogger (LoggerCore has the state)."""

    disabled: bool
    _schema: SchemaCache
    _client: Client | None
    write: Callable[..., object]
    declare: Callable[..., None]
    _violation: Callable[[StreamvisError, int], None]

    def image(
        self, series: str, image: Any, *, boxes: Any = None, labels: Any = None,
        scores: Any = None, classes: Sequence[str] | None = None,
        keys: Sequence[str] = ("step",), box_series: str | None = None, **fields: Any,
    ) -> None:
        """Write `image` to the image field of `series` with the other `fields`, and,
        with `boxes` ((K, 4) x0, y0, x1, y1 pixels; for a batch, one per image), a row
        per box to `box_series` (default `<series>.boxes`) with the `keys` fields'
        values, `labels` (strings, or ints named by `classes`) and `scores`."""
        if self.disabled:
            return
        try:
            target = self._image_field(series)
            n = self._batch_size(image)
            writes: list[dict[str, Any]] = []
            if boxes is not None:
                # Every box is checked before anything is written: all or nothing.
                missing = [k for k in keys if k not in fields]
                if missing:
                    raise InvalidArgumentError(
                        f"logger.image: the key field {', '.join(map(repr, missing))} joins "
                        "boxes to images: give it, or pick other keys="
                    )
                per_labels = _per_image(labels, n, "labels") if labels is not None else None
                per_scores = _per_image(scores, n, "scores") if scores is not None else None
                for i, b in enumerate(_per_image(boxes, n, "boxes")):
                    rows = _box_rows(b, None if per_labels is None else per_labels[i],
                                     None if per_scores is None else per_scores[i], classes)
                    if rows is not None:
                        writes.append({**{k: _key_value(fields[k], i, n) for k in keys}, **rows})
            self.write(series, **{target: image}, **fields)
            if writes:
                name = box_series or f"{series}.boxes"
                self._declare_boxes(name, keys)
                for values in writes:
                    self.write(name, **values)
        except StreamvisError as exc:
            self._violation(exc, 3)

    def _image_field(self, series: str) -> str:
        known = self._schema.lookup(series)
        if known is None and self._client is not None:
            self._schema.try_refresh(self._client, 5.0)  # as write() does for a new series
            known = self._schema.lookup(series)
        if known is None:
            raise InvalidArgumentError(
                f"logger.image: series {series!r} is not declared: declare it with one "
                "image field first"
            )
        images = [f for f in known[0] if known[1][f].row.media == "image"]
        if len(images) != 1:
            raise InvalidArgumentError(
                f"logger.image: series {series!r} has {len(images)} image fields: it needs "
                "exactly one (write() logs to several)"
            )
        return images[0]

    @staticmethod
    def _batch_size(image: Any) -> int | None:
        shape = getattr(image, "shape", None)
        return int(shape[0]) if shape is not None and len(shape) == 4 else None

    def _declare_boxes(self, name: str, keys: Sequence[str]) -> None:
        fields = (*keys, *BOX_FIELDS)
        if self._schema.series.get(name) is not None:
            return
        decl: dict[str, FieldDecl] = {
            f: str(self._schema.types[f]) for f in keys if f in self._schema.types
        }
        decl.update({f: t for f, t in BOX_FIELDS.items() if f not in self._schema.types})
        self.declare(decl, {name: list(fields)})


__all__ = ["BOX_FIELDS", "LogsImages"]

