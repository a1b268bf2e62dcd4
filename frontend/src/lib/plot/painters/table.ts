/**
 * The table kind's painter (grammar kind `table`, painter `table`): the data request of one
 * page and how a cell reads, as pure functions the TablePlot component renders. Sorting,
 * filtering and paging happen on the server (`/api/data` with the `page` reduction).
 */
import type { ColumnData } from '../../api/arrowData';
import { isCodes } from '../../api/arrowData';
import type { DataRequest, RowCondition, RunFilter } from '../../api/types';
import { formatValue } from '../format';
import { isFormat } from './text';

/** Rows per page the table asks for (the server allows up to MAX_TABLE_PAGE_ROWS). */
export const PAGE_ROWS = 50;
/** Characters of a formatted string (markdown, HTML, SVG) a cell shows; the rest is in its title. */
export const SHORT = 60;

export interface TableView {
  sort: string | null;
  descending: boolean;
  offset: number;
  where: RowCondition[];
}

export function pageRequest(series: string, filter: RunFilter | undefined, columns: readonly string[], view: TableView, limit = PAGE_ROWS): DataRequest {
  const req: DataRequest = { filter: filter ?? {}, series, fields: columns.filter((c) => c !== 'run'), attributes: [], kind: 'table', group: [], offset: view.offset, limit };
  if (view.sort) {
    req.sort = view.sort;
    req.descending = view.descending;
  }
  if (view.where.length) req.where = view.where;
  return req;
}

/** The view after a click on column `name`'s header: sort by it, then reverse, back on page one. */
export function toggleSort(view: TableView, name: string): TableView {
  const descending = view.sort === name ? !view.descending : false;
  return { ...view, sort: name, descending, offset: 0 };
}

/** What cell `row` of a column reads: numbers as elsewhere, a formatted string shortened. */
export function cellText(col: ColumnData | undefined, row: number, format?: unknown): string {
  if (col === undefined) return '';
  if (isCodes(col)) {
    const s = col.values[col.codes[row]!] ?? '';
    if (isFormat(format) && format !== 'plain' && s.length > SHORT) return `${s.slice(0, SHORT)}…`;
    return s;
  }
  const v = col[row]!;
  return Number.isNaN(v) ? 'NaN' : formatValue(v);
}

/** "21–40 of 95" (rows are counted from 1). */
export function pageLabel(offset: number, shown: number, total: number): string {
  if (total === 0) return 'no rows';
  return `${offset + 1}–${offset + shown} of ${total}`;
}
