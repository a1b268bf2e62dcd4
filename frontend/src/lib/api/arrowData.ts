/**
 * POST /api/data: Arrow IPC in, plain typed arrays out. Numbers become Float64Array (int64
 * included: steps and timestamps fit a double exactly up to 2^53); strings and bools become
 * category codes, decoded once per distinct value rather than once per row, because a
 * 10-million-row run column decoded row by row costs seconds.
 */
import { DataType, tableFromIPC, type Data, type Vector } from 'apache-arrow';
import { apiUrl } from './base';
import { errorFrom, ApiError } from './http';
import type { DataRequest } from './types';

/** A categorical column: per-row codes into `values`. */
export interface Codes {
  codes: Int32Array;
  values: string[];
}

export type ColumnData = Float64Array | Codes;

export interface DataBatch {
  length: number;
  /** `none`, `m4` or `density` (schema metadata). */
  reduced: string;
  /** Highest chunk sequence included: ask for after_sequence = this to get only newer rows. */
  lastSequence: number;
  columns: Map<string, ColumnData>;
  /** The schema metadata, as sent (a table's `total_rows`, a text plot's `left_out`). */
  metadata?: Map<string, string>;
}

export function isCodes(c: ColumnData | undefined): c is Codes {
  return c !== undefined && !(c instanceof Float64Array);
}

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

export async function fetchData(req: DataRequest, signal?: AbortSignal): Promise<DataBatch> {
  let res: Response;
  try {
    res = await fetch(apiUrl('/api/data'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: ARROW_STREAM },
      body: JSON.stringify(req),
      signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', `loading ${req.series}: the streamvis server cannot be reached (${String(e)})`);
  }
  if (!res.ok) throw await errorFrom(res, `loading series "${req.series}"`);
  return decodeBatch(new Uint8Array(await res.arrayBuffer()));
}

export function decodeBatch(bytes: Uint8Array): DataBatch {
  const table = tableFromIPC(bytes);
  // An empty or foreign body decodes to a table without columns rather than failing.
  if (table.schema.fields.length === 0) throw new Error('the server sent data that is not an Arrow stream with columns');
  const meta = table.schema.metadata;
  const columns = new Map<string, ColumnData>();
  for (const field of table.schema.fields) {
    const vec = table.getChild(field.name);
    if (vec) columns.set(field.name, decodeColumn(vec));
  }
  const seq = Number(meta.get('last_sequence') ?? '0');
  return {
    length: table.numRows,
    reduced: meta.get('reduced') ?? 'none',
    lastSequence: Number.isFinite(seq) ? seq : 0,
    columns,
    metadata: new Map(meta),
  };
}

function decodeColumn(vec: Vector): ColumnData {
  const t = vec.type;
  if (DataType.isFloat(t) || DataType.isInt(t) || DataType.isDecimal(t) || DataType.isTimestamp(t)) {
    return toFloat64(vec);
  }
  return toCodes(vec);
}

function toFloat64(vec: Vector): Float64Array {
  const out = new Float64Array(vec.length);
  let at = 0;
  for (const chunk of vec.data) {
    const values = chunk.values as ArrayLike<number | bigint> | undefined;
    if (DataType.isDecimal(chunk.type) || values === undefined || DataType.isTimestamp(chunk.type)) {
      for (let i = 0; i < chunk.length; i++) out[at + i] = Number(vec.get(at + i));
    } else if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      for (let i = 0; i < chunk.length; i++) out[at + i] = Number(values[chunk.offset + i]);
    } else if (DataType.isFloat(chunk.type) && chunk.type.precision === 0) {
      // Half floats arrive as raw uint16 bits.
      for (let i = 0; i < chunk.length; i++) out[at + i] = Number(vec.get(at + i));
    } else {
      const v = values as ArrayLike<number>;
      for (let i = 0; i < chunk.length; i++) out[at + i] = v[chunk.offset + i] as number;
    }
    at += chunk.length;
  }
  return out;
}

function toCodes(vec: Vector): Codes {
  const codes = new Int32Array(vec.length);
  const values: string[] = [];
  const index = new Map<string, number>();
  const codeOf = (s: string): number => {
    let c = index.get(s);
    if (c === undefined) {
      c = values.length;
      values.push(s);
      index.set(s, c);
    }
    return c;
  };
  let at = 0;
  for (const chunk of vec.data) {
    if (DataType.isUtf8(chunk.type)) utf8Codes(chunk as Data, codes, at, codeOf);
    else if (DataType.isDictionary(chunk.type) && chunk.dictionary) {
      const dict = chunk.dictionary;
      const map = new Int32Array(dict.length).fill(-1);
      const idx = chunk.values as ArrayLike<number>;
      for (let i = 0; i < chunk.length; i++) {
        const d = idx[chunk.offset + i] as number;
        if ((map[d] as number) < 0) map[d] = codeOf(String(dict.get(d)));
        codes[at + i] = map[d] as number;
      }
    } else {
      for (let i = 0; i < chunk.length; i++) codes[at + i] = codeOf(String(vec.get(at + i)));
    }
    at += chunk.length;
  }
  return { codes, values };
}

const decoder = new TextDecoder();

/** Codes for a utf8 chunk, decoding a string only when a row's bytes differ from the last row's. */
function utf8Codes(chunk: Data, codes: Int32Array, at: number, codeOf: (s: string) => number): void {
  const offsets = chunk.valueOffsets as Int32Array;
  const bytes = chunk.values as Uint8Array;
  let prevStart = -1;
  let prevEnd = -1;
  let prevCode = -1;
  for (let i = 0; i < chunk.length; i++) {
    const s = offsets[chunk.offset + i] as number;
    const e = offsets[chunk.offset + i + 1] as number;
    let same = prevCode >= 0 && e - s === prevEnd - prevStart;
    for (let k = 0; same && k < e - s; k++) same = bytes[s + k] === bytes[prevStart + k];
    if (!same) prevCode = codeOf(decoder.decode(bytes.subarray(s, e)));
    codes[at + i] = prevCode;
    prevStart = s;
    prevEnd = e;
  }
}
