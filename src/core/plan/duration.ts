// Go time.Duration text: parsed for the per-pod back-off annotations, printed for the kubelet's back-off message
// ("back-off 5m0s restarting failed container=..."), so both sides read exactly like Kubernetes.

const NS_PER: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
// 2^63 ns: the first value past Go's int64 range (2^63 - 1 itself rounds up to it as a double).
const INT64_OVERFLOW_NS = 2 ** 63;

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/**
 * Parses a Go duration ("300ms", "-1.5h", "2h45m", "1µs") into milliseconds; undefined where Go's
 * time.ParseDuration returns an error (empty, missing or unknown unit, no digits, overflow). Bare "0" is valid.
 */
export function parseDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let totalNs = 0;
  let i = 0;
  while (i < s.length) {
    const start = i;
    while (isDigit(s[i])) i++;
    const intPart = s.slice(start, i);
    let fracPart = '';
    if (s[i] === '.') {
      const fracStart = ++i;
      while (isDigit(s[i])) i++;
      fracPart = s.slice(fracStart, i);
    }
    if (intPart === '' && fracPart === '') return undefined;
    const unitStart = i;
    while (i < s.length && s[i] !== '.' && !isDigit(s[i])) i++;
    const unit = NS_PER[s.slice(unitStart, i)];
    if (unit === undefined) return undefined;
    totalNs += Number(intPart || '0') * unit + (fracPart === '' ? 0 : Number(`0.${fracPart}`) * unit);
    if (!(totalNs < INT64_OVERFLOW_NS)) return undefined;
  }
  // Normalise -0 so callers comparing with === see plain zero.
  return totalNs === 0 ? 0 : (sign * totalNs) / 1e6;
}

/** Digits of the fraction v / 10^prec with trailing zeros dropped ('' when zero), and the integer part. */
function splitFraction(v: number, prec: number): { frac: string; int: number } {
  let digits = '';
  let printing = false;
  for (let k = 0; k < prec; k++) {
    const d = v % 10;
    printing ||= d !== 0;
    if (printing) digits = `${d}${digits}`;
    v = Math.floor(v / 10);
  }
  return { frac: printing ? `.${digits}` : '', int: v };
}

/** Formats milliseconds as Go's Duration.String: "0s", "500ms", "1.5s", "20s", "5m0s", "1h0m0s". */
export function formatDuration(ms: number): string {
  let ns = Math.round(Math.abs(ms) * 1e6);
  const sign = ms < 0 && ns !== 0 ? '-' : '';
  if (ns === 0) return '0s';
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) {
    const { frac, int } = splitFraction(ns, 3);
    return `${sign}${int}${frac}µs`;
  }
  if (ns < 1e9) {
    const { frac, int } = splitFraction(ns, 6);
    return `${sign}${int}${frac}ms`;
  }
  const { frac, int } = splitFraction(ns, 9);
  ns = int;
  let out = `${ns % 60}${frac}s`;
  ns = Math.floor(ns / 60);
  if (ns > 0) {
    out = `${ns % 60}m${out}`;
    ns = Math.floor(ns / 60);
    if (ns > 0) out = `${ns}h${out}`;
  }
  return `${sign}${out}`;
}
