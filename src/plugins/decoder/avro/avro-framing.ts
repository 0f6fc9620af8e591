import type { Type } from 'avsc';
import { ShardtableError } from '../../../errors.js';
import type { DecoderSettings } from '../../../spi/decoder.js';
import { decoderKey, decoderProperty } from '../../../spi/decoder.js';
import type { WriterSchema } from './avro-schema.js';

/** Key suffix (`stream.<type>.decoder.prop.framing`): records framed as detected per record (`auto`) or fixed. */
export const AVRO_FRAMING_KEY = 'decoder.prop.framing';
export const AVRO_FRAMINGS = ['auto', 'plain', 'confluent', 'single-object'] as const;
export type AvroFraming = (typeof AVRO_FRAMINGS)[number];

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, then Avro binary. */
const CONFLUENT_MAGIC = 0x00;
const CONFLUENT_HEADER = 5;
/** Avro single-object encoding: 0xC3 0x01, 8-byte little-endian CRC-64-AVRO fingerprint, then Avro binary. */
const SINGLE_OBJECT_MAGIC_0 = 0xc3;
const SINGLE_OBJECT_MAGIC_1 = 0x01;
const SINGLE_OBJECT_HEADER = 10;

/** Reads `stream.<type>.decoder.prop.framing`; throws `STREAM_CONFIG` naming the key for other values. */
export function parseFraming(settings: DecoderSettings): AvroFraming {
  const raw = decoderProperty(settings, AVRO_FRAMING_KEY);
  const text = (raw ?? 'auto').trim().toLowerCase();
  if ((AVRO_FRAMINGS as readonly string[]).includes(text)) return text as AvroFraming;
  throw new ShardtableError('STREAM_CONFIG', {
    detail: `${decoderKey(settings, AVRO_FRAMING_KEY)}: ${JSON.stringify(raw)} is not a framing; use one of ${AVRO_FRAMINGS.join(', ')}`,
  });
}

export type FrameResult = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

interface AvroField {
  readonly name: string;
  readonly type: Type;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Turns one record's bytes into the writer schema's record value, handling the framing. Never
 * throws. In `auto` mode: bytes starting 0xC3 0x01 are single-object encoded (the fingerprint must
 * match the writer schema's); bytes starting 0x00 are tried as a Confluent frame and, when that does
 * not decode exactly, as plain Avro (a plain record may start with 0x00: a zero, an empty string,
 * union branch 0); anything else is plain Avro binary.
 */
export class AvroFrameReader {
  private readonly fields: readonly AvroField[];

  constructor(
    private readonly writer: WriterSchema,
    private readonly framing: AvroFraming,
  ) {
    this.fields = (writer.type as unknown as { fields: AvroField[] }).fields;
  }

  read(bytes: Uint8Array): FrameResult {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    switch (this.framing) {
      case 'plain':
        return this.exact(buf, 0, 'Avro record');
      case 'confluent':
        return this.confluent(buf);
      case 'single-object':
        return this.singleObject(buf);
      case 'auto':
        break;
    }
    if (buf.length >= 2 && buf[0] === SINGLE_OBJECT_MAGIC_0 && buf[1] === SINGLE_OBJECT_MAGIC_1) return this.singleObject(buf);
    if (buf.length > 0 && buf[0] === CONFLUENT_MAGIC) {
      if (buf.length >= CONFLUENT_HEADER) {
        const framed = this.exact(buf, CONFLUENT_HEADER, 'Confluent-framed Avro record');
        if (framed.ok) return framed;
      }
      const plain = this.exact(buf, 0, 'Avro record');
      if (plain.ok || buf.length >= CONFLUENT_HEADER) return plain;
      return {
        ok: false,
        error: `${plain.error} (it starts with the Confluent magic byte 0, but a Confluent frame needs at least ${CONFLUENT_HEADER} header bytes and the record has ${buf.length})`,
      };
    }
    return this.exact(buf, 0, 'Avro record');
  }

  private confluent(buf: Buffer): FrameResult {
    if (buf.length < CONFLUENT_HEADER) {
      return { ok: false, error: `Confluent frame too short: ${buf.length} bytes, the header alone (magic byte 0 + 4-byte schema id) is ${CONFLUENT_HEADER}` };
    }
    if (buf[0] !== CONFLUENT_MAGIC) return { ok: false, error: `Confluent frame: magic byte is ${buf[0]}, expected 0` };
    return this.exact(buf, CONFLUENT_HEADER, `Confluent-framed Avro record (schema id ${buf.readUInt32BE(1)})`);
  }

  private singleObject(buf: Buffer): FrameResult {
    if (buf.length < SINGLE_OBJECT_HEADER) {
      return { ok: false, error: `Avro single-object header too short: ${buf.length} bytes, the header (0xC3 0x01 + 8-byte fingerprint) is ${SINGLE_OBJECT_HEADER}` };
    }
    if (buf[0] !== SINGLE_OBJECT_MAGIC_0 || buf[1] !== SINGLE_OBJECT_MAGIC_1) {
      return { ok: false, error: `Avro single-object marker is ${hex(buf.subarray(0, 2))}, expected c301` };
    }
    const fingerprint = buf.subarray(2, SINGLE_OBJECT_HEADER);
    if (!fingerprint.equals(this.writer.fingerprint)) {
      return {
        ok: false,
        error: `Avro single-object fingerprint ${hex(fingerprint)} does not match the writer schema's (${hex(this.writer.fingerprint)}, CRC-64-AVRO of ${this.writer.type.name ?? 'the record'}): the record was written with another schema`,
      };
    }
    return this.exact(buf, SINGLE_OBJECT_HEADER, 'single-object Avro record');
  }

  /** Decodes a record that must end exactly at the end of `buf`. */
  private exact(buf: Buffer, pos: number, what: string): FrameResult {
    let decoded: { value: unknown; offset: number };
    try {
      decoded = this.writer.type.decode(buf, pos);
    } catch {
      return { ok: false, error: this.diagnose(buf, pos, what) };
    }
    if (decoded.offset < 0) return { ok: false, error: this.diagnose(buf, pos, what) };
    if (decoded.offset !== buf.length) {
      return {
        ok: false,
        error: `${what}: ${buf.length - decoded.offset} bytes left over after the last field ${JSON.stringify(this.fields.at(-1)?.name)} (written with another schema?)`,
      };
    }
    return { ok: true, value: decoded.value as Record<string, unknown> };
  }

  /** Re-reads field by field to name the field where decoding failed (error path only). */
  private diagnose(buf: Buffer, start: number, what: string): string {
    let pos = start;
    for (const field of this.fields) {
      let result: { offset: number };
      try {
        result = field.type.decode(buf, pos);
      } catch (e) {
        return `${what}: field ${JSON.stringify(field.name)} at byte ${pos}: ${e instanceof Error ? e.message : String(e)} (written with another schema?)`;
      }
      if (result.offset < 0) {
        return `${what} is truncated: the data (${buf.length} bytes) ends inside field ${JSON.stringify(field.name)}, which starts at byte ${pos}`;
      }
      pos = result.offset;
    }
    return `${what} could not be decoded with the writer schema (${this.writer.source})`;
  }
}
