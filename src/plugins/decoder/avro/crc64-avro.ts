/**
 * CRC-64-AVRO, the 64-bit Rabin fingerprint the Avro specification uses for single-object encoding
 * (computed over a schema's Parsing Canonical Form). Runs once per schema, so BigInt is fine.
 */

const EMPTY = 0xc15d213aa4d7a795n;

const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp;
});

/**
 * The fingerprint of `text` (UTF-8) as an unsigned 64-bit value.
 *
 * @example crc64Avro('"null"') // 7195948357588979594n (the value in Avro's own test vectors)
 */
export function crc64Avro(text: string): bigint {
  let fp = EMPTY;
  for (const byte of Buffer.from(text, 'utf8')) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)]!;
  return fp;
}

/** The fingerprint as single-object encoding writes it: 8 bytes, little-endian. */
export function crc64AvroBytes(text: string): Uint8Array {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(crc64Avro(text));
  return new Uint8Array(out);
}
