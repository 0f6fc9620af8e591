/** What a secret value is replaced with in API output and logs. */
export const REDACTED = '*****';

/** A word (or the end of a run-together word) that makes a key secret wherever it appears. */
const SECRET_WORD_PARTS = ['secret', 'password', 'passwd', 'passphrase', 'credential'];
/** Whole words that make a key secret (`tokenizer` and `maxTokens` are not `token`). */
const SECRET_WORDS = new Set(['pwd', 'token', 'jaas', 'authorization', 'bearer', 'signature', 'connectionstring']);
/**
 * Words that, before `key`, make it key material (`accessKey`, `AWS_SECRET_ACCESS_KEY`,
 * `privateKey`, `ssl.keystore.key`) — unlike `primaryKeyColumns`, `partition key` or
 * `key.serializer`, whose `key` is a column or a record part.
 */
const KEY_QUALIFIERS = ['access', 'api', 'private', 'secret', 'signing', 'encryption', 'master', 'account', 'shared', 'storage', 'auth', 'client', 'ssl', 'tls', 'session', 'hmac', 'sas', 'keystore'];
const COMPOUND_KEY = new RegExp(`^(${KEY_QUALIFIERS.join('|')})key(id)?$`);
/** Word sequences that hold a secret though no single word says so (Kafka's `basic.auth.user.info`). */
const SECRET_PHRASES = [['auth', 'user', 'info'], ['connection', 'string']];

/**
 * The words of a config key, lower-cased: split at dots, underscores, dashes, spaces and other
 * punctuation, and at camelCase and acronym boundaries (`AWSSecretKey` → aws, secret, key).
 */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/**
 * True when a config key names a secret, by the words in it rather than a list of known keys:
 * a secret, password, passphrase or credential (`secret_key`, `awsSecret`,
 * `stream.kinesis.credentials`, `ssl.keystore.password`); a token (`sessionToken`, not
 * `tokenizer`); key material (`accessKey`, `AWS_SECRET_ACCESS_KEY`, `privateKey`, `apiKey` — a
 * `key` after a qualifier such as access, secret, private, api, ssl; not `primaryKeyColumns`,
 * `partitionKey`, `key.serializer`); or a known secret phrase (`sasl.jaas.config`,
 * `basic.auth.user.info`). `accessKey`, the AWS access key id, is hidden too: it identifies the
 * account, and Pinot hides it.
 */
export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (SECRET_WORD_PARTS.some((part) => word.includes(part))) return true;
    if (SECRET_WORDS.has(word) || word.endsWith('token')) return true;
    if (COMPOUND_KEY.test(word)) return true;
    if ((word === 'key' || word === 'keys') && i > 0 && KEY_QUALIFIERS.includes(words[i - 1]!)) return true;
  }
  return SECRET_PHRASES.some((phrase) => words.some((_, i) => phrase.every((part, j) => words[i + j] === part)));
}

/** Values that are secrets whatever their key is called: a PEM private key, an AWS access key id. */
const SECRET_VALUE_PATTERNS = [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, /^(AKIA|ASIA)[A-Z0-9]{16}$/];

/** True when a value is a secret by its shape alone (see `SECRET_VALUE_PATTERNS`). */
export function isSecretValue(value: unknown): boolean {
  return typeof value === 'string' && SECRET_VALUE_PATTERNS.some((pattern) => pattern.test(value));
}

/** A scalar that is shown as `*****` when secret: non-empty strings and numbers (not booleans). */
function isMaskable(value: unknown): value is string | number {
  return (typeof value === 'string' && value !== '') || typeof value === 'number';
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

/** `under`: a key above this value named a secret, so every scalar below it is one. */
function redactValue(value: unknown, under = false): unknown {
  if (Array.isArray(value)) return value.map((item) => redactValue(item, under));
  if (value === null || typeof value !== 'object') return isMaskable(value) && (under || isSecretValue(value)) ? REDACTED : value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) out[key] = redactValue(inner, under || isSecretKey(key));
  return out;
}

/** Every secret value in a config (for scrubbing free text such as upstream error messages). */
export function collectSecrets(config: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, under: boolean): void => {
    if (Array.isArray(value)) value.forEach((item) => walk(item, under));
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) walk(inner, under || isSecretKey(key));
    } else if (isMaskable(value) && (under || isSecretValue(value))) {
      const text = String(value);
      // Shorter values would scrub innocent text (a secret "1" would hide every digit 1).
      if (text.length >= 4) found.add(text);
    }
  };
  walk(config, false);
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
  const walk = (value: unknown, old: unknown, under: boolean): unknown => {
    if (value === REDACTED) return old !== undefined && (under || isSecretValue(old)) ? old : value;
    if (Array.isArray(value)) return value.map((item, i) => walk(item, Array.isArray(old) ? old[i] : undefined, under));
    if (value === null || typeof value !== 'object') return value;
    const oldMap = old !== null && typeof old === 'object' && !Array.isArray(old) ? (old as Record<string, unknown>) : {};
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) out[key] = walk(inner, oldMap[key], under || isSecretKey(key));
    return out;
  };
  return walk(incoming, previous, false) as T;
}
