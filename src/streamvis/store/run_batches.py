"""Runs in bulk: creating a batch in one transaction, and listing runs page by page.

A batch (`create_runs`) is what an import or a sweep sends: thousands of runs, whose
one-transaction-each creation would time the disk's flushes, not the work (364 runs/s
before, measured in benchmarks/bench_search.py). Its rows go in with a few statements
per batch, all or nothing.

Pages (`list_runs_page`) are keyset pages over (started_at, id), newest first, the
order `list_runs` gives: a page starts strictly after the last run of the previous
one, so each costs the same however deep the listing is, and a run created meanwhile
neither repeats nor shifts a later page. An index on runs (started_at, id) serves it:
SQLite's on (started_at) holds the rowid id already; PostgreSQL gets its own
(migration 8).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence

from streamvis.model.errors import (
    AlreadyExistsError,
    InvalidArgumentError,
    ResourceExhaustedError,
)
from streamvis.model.events import RunCreated
from streamvis.model.limits import MAX_RUNS_PER_CREATE, MAX_RUNS_PER_PAGE
from streamvis.model.schema import NewRun, Run, RunFilter, RunJsonPage, RunPage
from streamvis.store.core import SqlCore, as_uuid, check_handle
from streamvis.store.dialect import Row, Session, UniqueViolation, marks, one_of
from streamvis.store.filters import BatchCoercer, Where
from streamvis.store.run_listing import listing_json, page_sql
from streamvis.store.runs import ATTRIBUTE_COLUMNS, _check_started_at, _check_tags

_TOKEN_PREFIX = "r1."  # noqa: S105 - a page token's version, no secret


#: A run of a batch, checked: handle, sorted tags, started_at, attributes as given.
_Checked = tuple[uuid.UUID, list[str], float, Mapping[str, object] | None]


def page_token(started_at: float, run_id: int) -> str:
    """The opaque token of the page after the run (started_at, run_id)."""
    return f"{_TOKEN_PREFIX}{started_at.hex()}.{run_id}"


def parse_page_token(token: str) -> tuple[float, int]:
    started, _, run_id = token.removeprefix(_TOKEN_PREFIX).rpartition(".")
    try:
        if token.startswith(_TOKEN_PREFIX):
            return float.fromhex(started), int(run_id)
    except ValueError:
        pass
    raise InvalidArgumentError(
        f"page token {token[:80]!r} is not one this server gave: pass the `next` "
        "token of the previous page as it came, or start again without one"
    )


def _check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidArgumentError(f"limit must be a positive integer, got {limit!r}")
    if limit > MAX_RUNS_PER_PAGE:
        raise ResourceExhaustedError(
            f"a page holds at most {MAX_RUNS_PER_PAGE} runs (MAX_RUNS_PER_PAGE), asked for "
            f"{limit}: ask for fewer and follow the `next` token for the rest"
        )
    return limit


class RunBatchMethods(SqlCore):
    """`create_runs` and `list_runs_page`."""

    def create_runs(self, runs: Sequence[NewRun]) -> list[Run]:
        if isinstance(runs, str | bytes) or not isinstance(runs, Sequence):
            raise InvalidArgumentError(f"runs must be a list of NewRun, got {type(runs).__name__}")
        if len(runs) > MAX_RUNS_PER_CREATE:
            raise ResourceExhaustedError(
                f"one batch creates at most {MAX_RUNS_PER_CREATE} runs (MAX_RUNS_PER_CREATE), "
                f"got {len(runs)}: send them in batches of that many"
            )
        checked: list[_Checked] = []
        for i, new in enumerate(runs):
            if not isinstance(new, NewRun):
                raise InvalidArgumentError(f"runs[{i}] must be a NewRun, got {type(new).__name__}")
            handle = uuid.uuid4() if new.handle is None else check_handle(new.handle)
            checked.append((handle, _check_tags(new.tags), _check_started_at(new.started_at),
                            new.attributes))
        handles = [h for h, *_ in checked]
        if len(set(handles)) != len(handles):
            twice = next(h for h in handles if handles.count(h) > 1)
            raise InvalidArgumentError(
                f"run {twice} is given more than once in the batch: give each run once"
            )
        if not checked:
            return []
        try:
            with self._write() as s, s.roomy():
                return self._insert_batch(s, checked)
        except UniqueViolation:  # created by another writer after our look-up
            raise self._exists(handles) from None

    def _insert_batch(
        self, s: Session,
        checked: list[_Checked],
    ) -> list[Run]:
        coercer = BatchCoercer(self._fields_by_name(
            s, [n for *_, a in checked if isinstance(a, Mapping) for n in a]))
        coerced = [coercer.coerce(a) for *_, a in checked]
        handles = [h for h, *_ in checked]
        # Each handle as text once: str() of a UUID is a few µs, and the statements
        # below name each run several times. Both databases compare a handle with
        # its text (SQLite stores the text).
        texts = [str(h) for h in handles]
        among = one_of(self.dialect, "handle", texts)
        if s.one(f"SELECT handle FROM runs WHERE {among[0]} LIMIT 1", among[1]) is not None:
            raise self._exists(handles)
        made = [
            Run(h, started, tuple(tags), values)
            for (h, tags, started, _), (values, _) in zip(checked, coerced, strict=True)
        ]
        s.insert_rows("runs", ("handle", "started_at", "listing"),
                      [(text, run.started_at, listing_json(run))
                       for text, run in zip(texts, made, strict=True)])
        # By the handle's text: parsing 5,000 UUIDs back costs more than the query.
        id_of = {str(handle): int(run_id) for run_id, handle in
                 s.all(f"SELECT id, handle FROM runs WHERE {among[0]}", among[1])}
        ids = [id_of[t] for t in texts]
        s.insert_rows("run_tags", ("run_id", "tag"),
                      [(run_id, t) for run_id, (_, tags, _, _) in zip(ids, checked, strict=True)
                       for t in tags])
        # New runs have no attributes to update: a plain insert, not create_run's upsert.
        s.insert_rows("run_attributes", ATTRIBUTE_COLUMNS,
                      [(run_id, *row)
                       for run_id, (_, rows) in zip(ids, coerced, strict=True)
                       for row in rows])
        for run in made:
            s.publish_after_commit(RunCreated(run))
        return made

    def _exists(self, handles: list[uuid.UUID]) -> AlreadyExistsError:
        with self._read() as s:
            among = one_of(self.dialect, "handle", handles)
            taken = [as_uuid(h) for (h,) in s.all(
                f"SELECT handle FROM runs WHERE {among[0]} ORDER BY handle", among[1])]
        shown = ", ".join(map(str, taken[:3])) + (" ..." if len(taken) > 3 else "")
        return AlreadyExistsError(
            f"{len(taken) or 'some'} run(s) of the batch exist already ({shown}): nothing "
            "was created; leave them out or give other handles"
        )

    def list_runs_page(
        self, run_filter: RunFilter, after: str | None = None, limit: int = 1000,
        *, count: bool = True,
    ) -> RunPage:
        with self._read() as s:
            keys, token, total = self._page_keys(s, run_filter, after, limit, count=count)
            if not keys:
                return RunPage([], "", total)
            ids = tuple(int(i) for i, _, _ in keys)
            runs = self._load_runs(s, Where(f"r.id IN ({marks(len(ids))})", ids))
        return RunPage(runs, token, total)

    def _page_keys(
        self, s: Session, run_filter: RunFilter, after: str | None, limit: int, *, count: bool,
        listing: bool = False,
    ) -> tuple[list[Row], str, int | None]:
        """A page's rows in listing order, (id, started_at, its kept listing JSON when
        `listing`, else None; None too where a run has none kept), the next page's token
        ("" on the last), and the count of every match (first page, when asked)."""
        limit = _check_limit(limit)
        cursor = None if not after else parse_page_token(after)
        where = self._where(s, run_filter)
        total = None
        if cursor is None and count:
            total = int(s.scalar(f"SELECT COUNT(*) FROM runs r WHERE {where.sql}",
                                 where.params))
        if cursor is not None:
            # A row value: both databases seek the (started_at, id) index with it.
            where = where.and_("(r.started_at, r.id) < (?, ?)", cursor)
        # One more than asked says whether a next page exists. The kept text comes with
        # the keys (a column of the row read anyway): a second query by id for a page of
        # 5,000 cost more than this one (SQLite 9 against 3 ms a page).
        text = ", r.listing" if listing else ", NULL"
        keyed = s.all(
            f"SELECT r.id, r.started_at{text} FROM runs r WHERE {where.sql} "
            "ORDER BY r.started_at DESC, r.id DESC LIMIT ?", (*where.params, limit + 1),
        )
        page = keyed[:limit]
        token = page_token(float(page[-1][1]), int(page[-1][0])) if len(keyed) > limit else ""
        return page, token, total

    def list_runs_json_page(
        self, run_filter: RunFilter, after: str | None = None, limit: int = 1000,
        *, count: bool = True,
    ) -> RunJsonPage:
        with self._read() as s:
            keys, token, total = self._page_keys(s, run_filter, after, limit, count=count,
                                                 listing=True)
            texts = [t for _, _, t in keys]
            if None in texts:
                # A run with no text kept has its object built in SQL, for this page's
                # such runs only (built inside the sorted query, it would be for every
                # match).
                built: dict[int, str] = dict(s.all(*page_sql(self.dialect, [
                    int(i) for i, _, t in keys if t is None])))
                texts = [built[int(i)] if t is None else t for i, _, t in keys]
        return RunJsonPage(texts, token, total)

    def iter_runs(self, run_filter: RunFilter, page: int = 1000) -> Iterator[Run]:
        """Every matching run, newest first, read a page at a time (bounded memory)."""
        after = ""
        while True:
            got = self.list_runs_page(run_filter, after, page, count=False)
            yield from got.runs
            if not got.next:
                return
            after = got.next

