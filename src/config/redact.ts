/** What a secret value is replaced with in API output and logs. */
export const REDACTED = '*****';

/** Last dot-separated segments of keys whose values are secrets (compared case-insensitively). */
const SECRET_KEY_SUFFIXES = [
  'secretkey',
  'accesskey',
  'secretaccesskey',
  'accesskeyid',
  'sessiontoken',
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'api_key',
];
/** Keys (or key endings, after a dot) that hold secrets though their last segment looks harmless. */
const SECRET_KEYS = ['sasl.jaas.config', 'basic.auth.user.info', 'schema.registry.basic.auth.user.info'];

/**
 * True when a config key names a secret: `secretKey` and `accessKey` (Pinot's Kinesis
 * credentials; the access key id is hidden too, as it identifies the account), and anything whose
 * last segment is a password, token or secret (`stream.kafka.ssl.keystore.password`).
 */
export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (SECRET_KEYS.some((secret) => lower === secret || lower.endsWith(`.${secret}`))) return true;
  const last = lower.slice(lower.lastIndexOf('.') + 1);
  return SECRET_KEY_SUFFIXES.includes(last) || last.endsWith('password') || last.endsWith('secretkey');
}

/**
 * Returns a deep copy of a table config (or any JSON) with every secret value replaced by
 * `"*****"`, wherever it appears — `tableIndexConfig.streamConfigs`,
 * `ingestionConfig.streamIngestionConfig.streamConfigMaps[*]`, or any other map. The input is
 * not changed. Used for every API response and every log line that shows a config.
 *
 * @example
 *   redactTableConfig({ tableIndexConfig: { streamConfigs: { secretKey: 'abc' } } })
 *   // { tableIndexConfig: { streamConfigs: { secretKey: '*****' } } }
 */
export function redactTableConfig<T>(config: T): T {
  return redactValue(config) as T;
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const hide = isSecretKey(key) && inner !== null && inner !== undefined && typeof inner !== 'object' && inner !== '';
    out[key] = hide ? REDACTED : redactValue(inner);
  }
  return out;
}

/** Every secret value in a config (for scrubbing free text such as upstream error messages). */
export function collectSecrets(config: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (isSecretKey(key) && (typeof inner === 'string' || typeof inner === 'number')) {
          const text = String(inner);
          if (text.length >= 4) found.add(text);
        } else walk(inner);
      }
    }
  };
  walk(config);
  return [...found];
}

/**
 * Replaces every occurrence of the given secret values in free text with `"*****"`. An AWS error
 * message can quote the access key id; pass it through here before it reaches a response or log.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * Puts stored secrets back where an incoming config carries the redacted placeholder, so a
 * config fetched with `GET /tables/{name}` (secrets shown as `"*****"`) can be edited and sent
 * back with `PUT` without re-typing credentials. Values are matched by the same path in
 * `previous`; a placeholder with no stored value stays as it is. Returns a new object.
 */
export function restoreRedactedSecrets<T>(incoming: T, previous: unknown): T {
  const walk = (value: unknown, old: unknown): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => walk(item, Array.isArray(old) ? old[i] : undefined));
    if (value === null || typeof value !== 'object') return value;
    const oldMap = old !== null && typeof old === 'object' && !Array.isArray(old) ? (old as Record<string, unknown>) : {};
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      const stored = oldMap[key];
      out[key] = inner === REDACTED && isSecretKey(key) && stored !== undefined ? stored : walk(inner, stored);
    }
    return out;
  };
  return walk(incoming, previous) as T;
}
