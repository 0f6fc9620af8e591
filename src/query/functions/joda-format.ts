/**
 * The subset of Joda-Time / `SimpleDateFormat` patterns Pinot users write in `toDateTime`,
 * `fromDateTime` and `dateTimeConvert`: yyyy yy MM M MMM dd d HH H hh h mm m ss s SSS a EEE Z
 * and 'quoted text'. UTC unless an offset zone (`+05:30`) or `UTC` is given.
 */
type Part = { kind: 'field'; letter: string; width: number } | { kind: 'text'; text: string };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const cache = new Map<string, Part[]>();

function compile(pattern: string): Part[] {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const parts: Part[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const j = pattern.indexOf("'", i + 1);
      const text = j < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, j);
      parts.push({ kind: 'text', text: text === '' ? "'" : text });
      i = j < 0 ? pattern.length : j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      if (!'yMdHhmsSaEZz'.includes(c)) throw new Error(`date pattern letter '${c}' in '${pattern}' is not supported`);
      parts.push({ kind: 'field', letter: c, width: j - i });
      i = j;
    } else {
      parts.push({ kind: 'text', text: c });
      i++;
    }
  }
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, parts);
  return parts;
}

/** Offset of a time zone id in minutes (UTC, GMT, Z and fixed offsets only). */
export function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || /^(UTC|GMT|Z|Etc\/UTC)$/i.test(zone)) return 0;
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$/.exec(zone);
  if (!m) throw new Error(`time zone '${zone}' is not supported (use UTC or a fixed offset such as +05:30)`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export function formatMillis(millis: number, pattern: string, zone?: string): string {
  const d = new Date(millis + zoneOffsetMinutes(zone) * 60_000);
  let out = '';
  for (const p of compile(pattern)) {
    if (p.kind === 'text') {
      out += p.text;
      continue;
    }
    const w = p.width;
    switch (p.letter) {
      case 'y':
        out += w === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), w);
        break;
      case 'M':
        out += w >= 3 ? MONTHS[d.getUTCMonth()]! : pad(d.getUTCMonth() + 1, w);
        break;
      case 'd':
        out += pad(d.getUTCDate(), w);
        break;
      case 'H':
        out += pad(d.getUTCHours(), w);
        break;
      case 'h':
        out += pad(d.getUTCHours() % 12 || 12, w);
        break;
      case 'm':
        out += pad(d.getUTCMinutes(), w);
        break;
      case 's':
        out += pad(d.getUTCSeconds(), w);
        break;
      case 'S':
        out += pad(d.getUTCMilliseconds(), 3).slice(0, w).padEnd(w, '0');
        break;
      case 'a':
        out += d.getUTCHours() < 12 ? 'AM' : 'PM';
        break;
      case 'E':
        out += DAYS[d.getUTCDay()]!;
        break;
      default: {
        const off = zoneOffsetMinutes(zone);
        out += p.letter === 'z' ? (zone ?? 'UTC') : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60), 2)}${w > 1 ? ':' : ''}${pad(Math.abs(off) % 60, 2)}`;
      }
    }
  }
  return out;
}

export function parseToMillis(text: string, pattern: string, zone?: string): number {
  let pos = 0;
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let pm: boolean | null = null;
  let parsedOffset: number | null = null;
  const fail = (): never => {
    throw new Error(`'${text}' does not match date pattern '${pattern}'`);
  };
  const parts = compile(pattern);
  for (let pi = 0; pi < parts.length; pi++) {
    const p = parts[pi]!;
    if (p.kind === 'text') {
      if (!text.startsWith(p.text, pos)) fail();
      pos += p.text.length;
      continue;
    }
    if (p.letter === 'a') {
      const t = text.slice(pos, pos + 2).toUpperCase();
      if (t !== 'AM' && t !== 'PM') fail();
      pm = t === 'PM';
      pos += 2;
      continue;
    }
    if ((p.letter === 'M' && p.width >= 3) || p.letter === 'E') {
      const names = p.letter === 'M' ? MONTHS : DAYS;
      const i = names.findIndex((n) => text.startsWith(n, pos));
      if (i < 0) fail();
      if (p.letter === 'M') month = i + 1;
      pos += 3;
      continue;
    }
    if (p.letter === 'Z') {
      // Joda's offset parser: 'Z' (zero offset) or +HHmm / +HH:mm.
      const z = /^(?:Z|([+-])(\d{2}):?(\d{2}))/.exec(text.slice(pos));
      if (!z) fail();
      parsedOffset = z![1] === undefined ? 0 : (z![1] === '-' ? -1 : 1) * (Number(z![2]) * 60 + Number(z![3]));
      pos += z![0].length;
      continue;
    }
    // Joda's adjacent value parsing: a number followed directly by another number (`yyyyMMdd`) takes exactly its width.
    const next = parts[pi + 1];
    const adjacent = next !== undefined && next.kind !== 'text' && /[yMdHhmsS]/.test(next.letter) && !(next.letter === 'M' && next.width >= 3);
    const m = adjacent ? new RegExp(`^\\d{${p.width}}`).exec(text.slice(pos)) : /^[+-]?\d+/.exec(text.slice(pos, pos + (p.width > 2 || p.letter === 'y' ? 9 : 2)));
    if (!m) fail();
    const v = Number(m![0]);
    pos += m![0].length;
    switch (p.letter) {
      case 'y':
        year = p.width === 2 ? 2000 + v : v;
        break;
      case 'M':
        month = v;
        break;
      case 'd':
        day = v;
        break;
      case 'H':
      case 'h':
        hour = v;
        break;
      case 'm':
        minute = v;
        break;
      case 's':
        second = v;
        break;
      case 'S':
        ms = Number(m![0].padEnd(3, '0').slice(0, 3));
        break;
      default:
        break;
    }
  }
  if (pos !== text.length) fail();
  if (pm !== null) hour = (hour % 12) + (pm ? 12 : 0);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - (parsedOffset ?? zoneOffsetMinutes(zone)) * 60_000;
}
