/** Number and time formatting for tick labels and the hover readout. */

const SI_UP = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const SI_DOWN = ['', 'm', 'µ', 'n', 'p', 'f'];

function decimalsFor(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  // The epsilon keeps 0.1 from reading as needing 2 decimals after float error.
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

/**
 * A tick label: compact SI form (1.5M, 250k, 20µ) when it stays short, the full number
 * otherwise — so zooming to a width of 2 around 1.7e9 shows 1700000001, not "1.7G" five times.
 */
export function formatTick(value: number, step: number, maxAbs: number = Math.abs(value)): string {
  if (value === 0 || Math.abs(value) < step * 1e-9) return '0';
  // The suffix follows each value (250k, 500k, 1M), as d3's "s" format does; `maxAbs` only
  // decides whether the axis is in the range where suffixes help at all.
  const mag = Math.abs(value);
  const e3 = Math.floor(Math.log10(mag) / 3);
  const axisMag = Math.max(Math.abs(maxAbs), mag);
  const siRange = axisMag >= 1e4 || axisMag < 1e-3;
  if (siRange && e3 !== 0 && e3 >= -SI_DOWN.length + 1 && e3 < SI_UP.length) {
    const scale = 10 ** (e3 * 3);
    const dec = decimalsFor(step / scale);
    const intDigits = Math.floor(Math.log10(mag / scale)) + 1;
    if (dec + intDigits <= 5) {
      const suffix = e3 > 0 ? SI_UP[e3] : SI_DOWN[-e3];
      return (value / scale).toFixed(dec) + (suffix ?? '');
    }
  }
  const dec = decimalsFor(step);
  if (dec > 12 || mag >= 1e21) return value.toExponential(3);
  return value.toFixed(dec);
}

/** A full-precision readout: integers exactly, others with 6 significant digits. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-4 || a >= 1e12)) return value.toExponential(5).replace(/\.?0+e/, 'e');
  // Large non-integers (timestamps with fractions) keep 3 decimals rather than 6 digits.
  if (a >= 1e5) return trimZeros(value.toFixed(3));
  return trimZeros(value.toPrecision(6));
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A clock-time tick label for unix seconds, as detailed as the step needs. */
export function formatTime(seconds: number, step: number): string {
  const d = new Date(seconds * 1000);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (step >= 86400) return date;
  if (step >= 60) return d.getHours() === 0 && d.getMinutes() === 0 ? date : hm;
  if (step >= 1) return `${hm}:${pad(d.getSeconds())}`;
  const ms = String(Math.round((seconds % 1) * 1000)).padStart(3, '0');
  return `${hm}:${pad(d.getSeconds())}.${ms}`;
}

/** A readout of unix seconds: date and time to the millisecond. */
export function formatTimeValue(seconds: number): string {
  return `${formatTime(seconds, 86400)} ${formatTime(seconds, 0.001)}`;
}
