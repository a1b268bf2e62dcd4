"""Write-time checks: a precomputed validator per series, and the slow path behind it.

`write` must cost a few microseconds, so everything that can be decided once per series
is decided once, in `SeriesState`: the field names, and for each field the row of its
type (model/types.py) and the set of Python scalar types it accepts. A write of Python
scalars is then one `type(v) in set` test per field (`DataLogger.write` inlines that
loop). Anything else — numpy, lists, tensors, a missing field, a wrong type — goes
through `prepare`, which snapshots each value (see tensors.py) and checks dtype kinds
and broadcasting.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from streamvis.logger.buffers import BUFFERS
from streamvis.logger.media import (
    ArrayForm,
    MediaValue,
    array_form,
    snapshot_array,
    snapshot_media,
)
from streamvis.logger.tensors import Snapshot, host_view, kept_jax, snapshot
from streamvis.model.errors import InvalidArgumentError
from streamvis.model.media import NO_OPTIONS, FieldOptions
from streamvis.model.schema import FieldType
from streamvis.model.types import NUMERIC, TYPES, TypeRow

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
#: Rough Python memory of one queued scalar write: the kwargs dict, the queue tuple, and
#: one boxed value per field. Only used to bound memory, so rough is fine.
_WRITE_OVERHEAD = 300
_VALUE_OVERHEAD = 40


def _guessed_numbers() -> tuple[frozenset[type], str]:
    """What a provisional field guessed from a number accepts: any number.

    A provisional series (schema unknown: server unreachable) guessed `step=1` to be an
    int, but `step=1.5` may come next; the batch is conformed to the real types when the
    server is back (delivery.conform). So such a field takes whatever any type guessed
    from a number takes.
    """
    rows = [r for r in TYPES.rows() if r.guessed_from and NUMERIC in r.traits]
    return frozenset().union(*(r.scalars for r in rows)), "".join(r.kinds for r in rows)


@dataclass(slots=True)
class SeriesState:
    """What write needs to know about one series, computed once."""

    name: str
    fields: tuple[str, ...]
    types: dict[str, FieldType]
    rows: dict[str, TypeRow]  # each field's type row, read once here
    kinds: dict[str, str]  # numpy dtype kinds each field accepts
    numbers: frozenset[str]  # provisional fields guessed from a number: any number goes
    checks: tuple[tuple[str, frozenset[type]], ...]
    int_fields: tuple[str, ...]  # range-checked: a Python int may exceed 64 bits
    n: int
    scalar_cost: int
    provisional: bool  # inferred from a write while the server could not be asked
    #: The media fields' kinds and options (model/media.py), by field name.
    media: dict[str, tuple[str, FieldOptions]]
    #: For `prepare_arrays`: the image and video fields (none if the series has an
    #: audio field or none of these), the checks of the other fields, and the bytes a
    #: write holds besides the arrays' own.
    arrays: tuple[tuple[str, str], ...] = ()
    plain_checks: tuple[tuple[str, frozenset[type]], ...] = ()
    plain_bytes: int = 0
    #: Each array field's last form (media.ArrayForm), checked once for its writes alike.
    forms: dict[str, ArrayForm] = dataclasses.field(default_factory=dict)
    #: The image or video field, if it is the series' only one ("" if none or several).
    one_array: str = ""
    #: Where the logger keeps this state (`LoggerCore._states`): what a queued scalar
    #: write names it by (batching.SLOT); -1 until the logger registers it.
    slot: int = -1

    @classmethod
    def build(
        cls, name: str, fields: tuple[str, ...], types: dict[str, FieldType],
        provisional: bool = False, options: dict[str, FieldOptions] | None = None,
    ) -> SeriesState:
        rows = {f: types[f].row for f in fields}
        numbers = frozenset(
            f for f in fields
            if provisional and rows[f].guessed_from and NUMERIC in rows[f].traits
        )
        any_scalar, any_kind = _guessed_numbers() if numbers else (frozenset(), "")
        checks = tuple((f, any_scalar if f in numbers else rows[f].scalars) for f in fields)
        media = {f: rows[f].media for f in fields if rows[f].media}
        arrays = () if "audio" in media.values() else tuple(media.items())
        return cls(
            name=name, fields=fields, types=types, rows=rows,
            kinds={f: any_kind if f in numbers else rows[f].kinds for f in fields},
            numbers=numbers, checks=checks,
            int_fields=tuple(f for f in fields if rows[f].int64), n=len(fields),
            scalar_cost=_WRITE_OVERHEAD + _VALUE_OVERHEAD * len(fields),
            provisional=provisional,
            media={f: (kind, (options or {}).get(f, NO_OPTIONS)) for f, kind in media.items()},
            arrays=arrays, one_array=arrays[0][0] if len(arrays) == 1 else "",
            plain_checks=tuple((f, ok) for f, ok in checks if f not in media),
            plain_bytes=_WRITE_OVERHEAD + (_VALUE_OVERHEAD + 8) * (len(fields) - len(media))
            + _VALUE_OVERHEAD * len(media),
        )

    @classmethod
    def infer(cls, name: str, values: dict[str, object]) -> SeriesState:
        """A provisional state from the first write, for when the schema is unknown."""
        types: dict[str, FieldType] = {}
        for f, v in values.items():
            kind = snapshot(v).kind
            guessed = TYPES.guess(kind)
            if guessed is None:
                raise InvalidArgumentError(
                    f"write to series {name!r}: field {f!r} has values of dtype kind "
                    f"{kind!r}, whose type cannot be guessed: declare the series"
                )
            types[f] = guessed
        return cls.build(name, tuple(values), types, provisional=True)

    def accepts_scalars(self, values: dict[str, object]) -> bool:
        if len(values) != self.n:
            return False
        for name, ok in self.checks:
            if type(values.get(name)) not in ok:
                return False
        return all(_INT64_MIN <= values[name] <= _INT64_MAX  # type: ignore[operator]
                   for name in self.int_fields)


class Prepared:
    """A write that is not all Python scalars, snapshotted and checked."""

    __slots__ = ("nbytes", "rows", "shape", "values")

    def __init__(
        self, values: dict[str, object], shape: tuple[int, ...], rows: int, nbytes: int
    ) -> None:
        self.values = values
        self.shape = shape
        self.rows = rows
        self.nbytes = nbytes


def check_field_set(state: SeriesState, values: dict[str, object]) -> None:
    missing = [f for f in state.fields if f not in values]
    extra = [f for f in values if f not in state.types]
    if not missing and not extra:
        return
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if extra:
        parts.append(f"no such field {', '.join(extra)}")
    raise InvalidArgumentError(
        f"write to series {state.name!r}: {'; '.join(parts)} (give each of "
        f"{', '.join(state.fields)} exactly once)"
    )


def _check_kind(state: SeriesState, field: str, snap: Snapshot, original: object) -> None:
    ftype = state.types[field]
    if snap.kind not in state.kinds[field]:
        what = type(original).__name__
        dtype = getattr(original, "dtype", None)
        if dtype is not None:
            what += f" of dtype {dtype}"
        raise InvalidArgumentError(
            f"write to series {state.name!r}: field {field!r} is {ftype.value} but got a "
            f"{what}: give {ftype.value} values"
        )
    if state.rows[field].int64 and type(original) is int and \
            not _INT64_MIN <= original <= _INT64_MAX:
        raise InvalidArgumentError(
            f"write to series {state.name!r}: value {original} for {ftype} field {field!r} "
            "does not fit in 64 bits"
        )


def _held_bytes(value: object, shape: tuple[int, ...]) -> int:
    """What a snapshot holds in memory, as the memory bound counts it: a numpy array of
    numbers its own bytes (float32 is 4 a value, not 8); anything else 8 a value."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return int(value.nbytes)
    return 8 * math.prod(shape)


def prepare(state: SeriesState, values: dict[str, object]) -> Prepared:
    """Snapshot and check one write; raise InvalidArgumentError on any violation."""
    check_field_set(state, values)
    snaps: dict[str, object] = {}
    shapes: list[tuple[int, ...]] = []
    nbytes = _WRITE_OVERHEAD
    for field in state.fields:
        original = values[field]
        media = state.media.get(field)
        if media is not None:
            try:
                value, size = snapshot_media(media[0], original)
            except InvalidArgumentError as exc:
                raise InvalidArgumentError(
                    f"write to series {state.name!r}, field {field!r}: {exc}"
                ) from None
            snaps[field] = value
            shapes.append(value.shape)
            nbytes += _VALUE_OVERHEAD + size
            continue
        try:
            snap = snapshot(original)
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(
                f"write to series {state.name!r}, field {field!r}: {exc}"
            ) from None
        _check_kind(state, field, snap, original)
        snaps[field] = snap.value
        shapes.append(snap.shape)
        nbytes += _VALUE_OVERHEAD + _held_bytes(snap.value, snap.shape)
    first = shapes[0] if shapes else ()
    # One shape throughout (scalars and 0-d tensors, the usual write) needs no numpy
    # call: a quarter of such a write's cost (4.1 -> 3.1 us for a 0-d array).
    shape = first if shapes.count(first) == len(shapes) else _broadcast(state, shapes)
    return Prepared(snaps, shape, math.prod(shape), nbytes)


def _broadcast(state: SeriesState, shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        shown = ", ".join(f"{f}={s}" for f, s in zip(state.fields, shapes, strict=True))
        raise InvalidArgumentError(
            f"write to series {state.name!r}: shapes do not broadcast ({shown}): give "
            "values whose shapes broadcast to one common shape"
        ) from None


def prepare_arrays(state: SeriesState, values: dict[str, object]) -> Prepared | None:
    """`prepare` for the common media write, in a few microseconds; None for any other.

    The write's image and video fields are numpy arrays (or CPU torch tensors, copied
    through a view of their memory: tensors.host_view; or jax arrays: tensors.kept_jax)
    of the form each field's last write had (its shape and dtype; checked when first
    seen, by media.array_form), of the same batch shape, and its other fields Python
    scalars its types take — `step=i, img=arr`, an image a step. Each array is copied
    into a free buffer of its form; a jax array is immutable, so it is kept as it is,
    its copy to the host started. What is queued is what `prepare` makes of the write;
    anything else (and every mistake) is left to `prepare`, which copies nothing until
    the whole write is checked. The caller (`write`) has checked that `values` has as
    many fields as the series.
    """
    if not _scalars_fit(state, values):
        return None
    forms = state.forms
    if state.one_array:
        # The usual write, `step=i, img=arr`: one numpy array of the field's last form,
        # copied into a free buffer without a call or a list more than it needs (the
        # write's whole cost but the copy is these lines: each one counts).
        name = state.one_array
        value = values.get(name)
        form = forms.get(name)
        if type(value) is np.ndarray and form is not None and form.shape == value.shape \
                and form.dtype is value.dtype:
            pool = form.pool
            try:
                buf = pool.pop()
            except IndexError:
                buf = BUFFERS.take_from(pool, value)  # none free: new memory
            else:
                buf[...] = value
            values[name] = MediaValue(buf, "array", form.count, form.layout, pooled=True)
            rows = form.rows
            return Prepared(values, rows, rows[0] if rows else 1,
                            state.plain_bytes + value.nbytes)
    count: int | None = -1
    arrays = []
    for name, media in state.arrays:
        value = values.get(name)
        array: Any = host_view(value)  # a numpy array, or a CPU torch tensor's view
        kept = array is None and kept_jax(value)
        if kept:
            array = value
        form = None if array is None else _form_of(forms, name, media, array)
        if form is None or count not in (-1, form.count):
            return None  # batches of two sizes, or a batch and a single value
        count = form.count
        arrays.append((name, form, array, kept))
    if count == -1:
        return None  # no array field: not this path's write
    nbytes = state.plain_bytes
    for name, form, array, kept in arrays:
        values[name] = MediaValue(array, "array", form.count, form.layout) if kept else \
            snapshot_array(form, array)
        nbytes += array.nbytes
    return Prepared(values, () if count is None else (count,),
                    1 if count is None else count, nbytes)


def _scalars_fit(state: SeriesState, values: dict[str, object]) -> bool:
    """Whether the write's fields other than the arrays are Python scalars they take."""
    for name, ok in state.plain_checks:
        if type(values.get(name)) not in ok:
            return False
    for name in state.int_fields:  # noqa: SIM110 -- a loop: no generator on the hot path
        if not _INT64_MIN <= values[name] <= _INT64_MAX:  # type: ignore[operator]
            return False
    return True


def _form_of(
    forms: dict[str, ArrayForm], name: str, media: str, value: np.ndarray
) -> ArrayForm | None:
    """The form of a numpy array for field `name` (its last one's, if alike), or None."""
    form = forms.get(name)
    if form is None or form.shape != value.shape or form.dtype is not value.dtype:
        try:
            form = forms[name] = array_form(media, value)
        except InvalidArgumentError:
            return None  # `prepare` says why
    return form


def given_time(
    series: str, value: object, shape: tuple[int, ...]
) -> float | np.ndarray[Any, np.dtype[np.float64]]:
    """A write's own `_time=` (importers: the source's timestamps): seconds since the
    epoch, one float for the write's rows or an array broadcast to its shape, flattened
    as its rows are. Refused unless every value is a finite number."""
    try:
        arr = np.asarray(value.detach().cpu().numpy() if hasattr(value, "detach") else value,
                         dtype=np.float64)
        times = np.broadcast_to(arr, shape).ravel() if arr.ndim else arr
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"write to series {series!r}: _time={value!r} is not seconds since the epoch "
            f"for the write's shape {shape}: give a number, or an array that broadcasts "
            "to the write's shape"
        ) from None
    if not np.isfinite(times).all():
        raise InvalidArgumentError(
            f"write to series {series!r}: _time has a value that is not finite: give "
            "seconds since the epoch (time.time()), or leave _time out"
        )
    return float(times) if times.ndim == 0 else np.array(times, dtype=np.float64)
