/**
 * Exact handling of decimal number text, for values that must not pass through a JS double:
 * LONG/TIMESTAMP integers beyond 2^53 and BIG_DECIMAL digits. Also Java's `Double.toString`, the
 * form Pinot gives a JSON floating-point number stored in a STRING column.
 */

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Digits past which an exponent is refused: no 64-bit or sensible decimal value needs more. */
const MAX_EXPONENT = 10_000;

/** A decimal number as sign, significant digits (no leading zeros, `''` for zero) and scale. */
interface DecimalParts {
  readonly negative: boolean;
  /** Unscaled digits without leading zeros; `''` when the value is zero. */
  readonly digits: string;
  /** Value = digits × 10^-scale, as Java's `BigDecimal` (unscaled value, scale). */
  readonly scale: number;
}

function parseDecimal(text: string): DecimalParts | undefined {
  const m = DECIMAL_TEXT.exec(text);
  if (m === null) return undefined;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart.length === 0 && fracPart.length === 0) return undefined;
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_EXPONENT) return undefined;
  const all = intPart + fracPart;
  let start = 0;
  while (start < all.length && all.charCodeAt(start) === 48) start++;
  return { negative: m[1] === '-', digits: all.slice(start), scale: fracPart.length - exponent };
}

/** True for JSON/SQL integer text: optional sign and decimal digits only. */
export function isIntegerText(text: string): boolean {
  return /^[+-]?\d+$/.test(text);
}

/**
 * The integer part (truncated toward zero, as Java's `Number.longValue()` does) of decimal text such
 * as `9223372036854775807`, `1.5e3` or `-12.9`, exactly. `undefined` when the text is not a number.
 */
export function truncateDecimalText(text: string): bigint | undefined {
  const parts = parseDecimal(text);
  if (parts === undefined) return undefined;
  const { digits, scale } = parts;
  let intDigits: string;
  if (scale <= 0) intDigits = digits.length === 0 ? '0' : digits + '0'.repeat(-scale);
  else intDigits = digits.length > scale ? digits.slice(0, digits.length - scale) : '0';
  const value = BigInt(intDigits);
  return parts.negative ? -value : value;
}

/**
 * True when decimal text has a non-zero digit after the decimal point once its exponent is applied
 * (`1.5`, `12345678901234567.9`, `15e-1`), i.e. when truncating it to an integer loses something.
 * False for integers written any way (`1.0`, `1.5e3`) and for text that is not a number.
 */
export function hasFractionDigits(text: string): boolean {
  const parts = parseDecimal(text);
  if (parts === undefined || parts.scale <= 0) return false;
  const { digits, scale } = parts;
  return /[1-9]/.test(digits.length > scale ? digits.slice(digits.length - scale) : digits);
}

/**
 * The canonical text of a BIG_DECIMAL: Java's `new BigDecimal(text).toPlainString()`. The scale is
 * kept (`1.50` stays `1.50`), exponents are expanded (`1.5E3` → `1500`), signs and leading zeros
 * are normalised (`+007.0` → `7.0`). `undefined` when the text is not a decimal number.
 */
export function canonicalDecimalText(text: string): string | undefined {
  const parts = parseDecimal(text);
  if (parts === undefined) return undefined;
  const { digits, scale } = parts;
  if (digits.length === 0) return scale > 0 ? '0.' + '0'.repeat(scale) : '0';
  const sign = parts.negative ? '-' : '';
  if (scale <= 0) return sign + digits + '0'.repeat(-scale);
  if (digits.length > scale) return sign + digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  return sign + '0.' + '0'.repeat(scale - digits.length) + digits;
}

/**
 * Java's `Double.toString(d)` (JDK 19+, shortest round-trip digits): `1.0`, `0.001`, `1.0E7`,
 * `1.0E-4`, `NaN`, `-Infinity`. Pinot stores a JSON floating-point number in a STRING column in
 * this form.
 */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const sign = d < 0 ? '-' : '';
  const abs = Math.abs(d);
  // toExponential() without digits gives the shortest digits that round-trip.
  const exp = abs.toExponential();
  const e = exp.indexOf('e');
  const digits = exp.slice(0, e).replace('.', '');
  const exponent = Number(exp.slice(e + 1));
  if (abs >= 1e-3 && abs < 1e7) {
    if (exponent < 0) return sign + '0.' + '0'.repeat(-exponent - 1) + digits;
    const intLen = exponent + 1;
    const intPart = digits.length >= intLen ? digits.slice(0, intLen) : digits + '0'.repeat(intLen - digits.length);
    const fracPart = digits.length > intLen ? digits.slice(intLen) : '0';
    return sign + intPart + '.' + fracPart;
  }
  return sign + digits[0] + '.' + (digits.length > 1 ? digits.slice(1) : '0') + 'E' + exponent;
}
