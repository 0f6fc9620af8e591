import { formatFloat32 } from '../../segment/display-value.js';

/**
 * Java's `Double.toString` (JDK 19+: shortest digits that round-trip, which is what JavaScript
 * prints too) in Java's layout: `1.0`, `7611.0`, `0.001`, `1.0E7`, `-9.223372036854776E18`,
 * `1.0E-4`, `NaN`, `Infinity`.
 */
export function formatJavaDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  // In [1e-3, 1e7) both languages print plain decimals with the same shortest digits; Java adds
  // `.0` to an integer. (The common case of a result cell: no digit decomposition.)
  if (abs >= 1e-3 && abs < 1e7) return Number.isInteger(x) ? `${x}.0` : String(x);
  return javaLayout(x, String(x));
}

/** Java's `Float.toString` for a float32 value (shortest float digits): `12.1`, `1.0E10`. */
export function formatJavaFloat(x: number): string {
  if (!Number.isFinite(x) || x === 0) return formatJavaDouble(x);
  return javaLayout(x, String(formatFloat32(x)));
}

function javaLayout(x: number, jsText: string): string {
  const abs = Math.abs(x);
  const sign = x < 0 ? '-' : '';
  // Decompose the shortest digits from the JS text into digits and decimal exponent.
  const body = jsText.startsWith('-') ? jsText.slice(1) : jsText;
  let digits: string;
  let exp: number; // value = 0.d1d2d3… × 10^exp
  const eIdx = body.indexOf('e');
  const mantissa = eIdx >= 0 ? body.slice(0, eIdx) : body;
  const e10 = eIdx >= 0 ? Number(body.slice(eIdx + 1)) : 0;
  const dot = mantissa.indexOf('.');
  const intPart = dot >= 0 ? mantissa.slice(0, dot) : mantissa;
  const fracPart = dot >= 0 ? mantissa.slice(dot + 1) : '';
  digits = (intPart + fracPart).replace(/^0+/, '');
  const leadingZeros = (intPart + fracPart).length - (intPart + fracPart).replace(/^0+/, '').length;
  exp = intPart.length - leadingZeros + e10;
  digits = digits.replace(/0+$/, '') || '0';
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp <= 0) return `${sign}0.${'0'.repeat(-exp)}${digits}`;
    if (digits.length <= exp) return `${sign}${digits}${'0'.repeat(exp - digits.length)}.0`;
    return `${sign}${digits.slice(0, exp)}.${digits.slice(exp)}`;
  }
  const frac = digits.length > 1 ? digits.slice(1) : '0';
  return `${sign}${digits[0]}.${frac}E${exp - 1}`;
}
