import { describe, expect, it } from 'vitest';
import { buildTableSchema, validateSchema, validateTableConfig } from '../../../src/config/index.js';
import { epochMillisPerValue, retentionPolicyOf } from '../../../src/ingest/retention.js';

const streamConfigs = { streamType: 'kinesis', 'stream.kinesis.topic.name': 's', 'stream.kinesis.decoder.class.name': 'org.apache.pinot.plugin.inputformat.json.JSONMessageDecoder' };

function policyFor(format: string, segmentsConfig: Record<string, unknown>): ReturnType<typeof retentionPolicyOf> {
  const schema = buildTableSchema(validateSchema({ schemaName: 't', dimensionFieldSpecs: [{ name: 'id', dataType: 'LONG' }], dateTimeFieldSpecs: [{ name: 'ts', dataType: format.includes('SIMPLE') ? 'STRING' : 'LONG', format, granularity: '1:MILLISECONDS' }] }));
  const config = validateTableConfig({ tableName: 't', tableType: 'REALTIME', segmentsConfig, tableIndexConfig: { streamConfigs } }, schema);
  return retentionPolicyOf(config, schema);
}

describe('retention policy', () => {
  it('reads Pinot retention units and the time column format', () => {
    expect(policyFor('1:MILLISECONDS:EPOCH', { timeColumnName: 'ts', retentionTimeUnit: 'DAYS', retentionTimeValue: '7' }).policy).toEqual({ retentionMs: 7 * 86_400_000, valueMs: 1 });
    expect(policyFor('EPOCH|SECONDS', { timeColumnName: 'ts', retentionTimeUnit: 'hours', retentionTimeValue: '3' }).policy).toEqual({ retentionMs: 3 * 3_600_000, valueMs: 1000 });
    expect(policyFor('5:MINUTES:EPOCH', { timeColumnName: 'ts', retentionTimeUnit: 'MINUTES', retentionTimeValue: '30' }).policy).toEqual({ retentionMs: 1_800_000, valueMs: 300_000 });
  });

  it('keeps segments, saying why, when retention cannot apply', () => {
    expect(policyFor('1:MILLISECONDS:EPOCH', { timeColumnName: 'ts' })).toEqual({ policy: null, reason: null });
    expect(policyFor('1:MILLISECONDS:EPOCH', { retentionTimeUnit: 'DAYS', retentionTimeValue: '1' })).toEqual({ policy: null, reason: expect.stringMatching(/needs segmentsConfig.timeColumnName/) });
    expect(policyFor('1:DAYS:SIMPLE_DATE_FORMAT:yyyyMMdd', { timeColumnName: 'ts', retentionTimeUnit: 'DAYS', retentionTimeValue: '1' })).toEqual({ policy: null, reason: expect.stringMatching(/not epoch numbers/) });
  });

  it('knows epoch formats in both spellings', () => {
    expect(epochMillisPerValue('TIMESTAMP')).toBe(1);
    expect(epochMillisPerValue('1:MILLISECONDS:TIMESTAMP')).toBe(1);
    expect(epochMillisPerValue('EPOCH')).toBe(1);
    expect(epochMillisPerValue('EPOCH|DAYS|2')).toBe(2 * 86_400_000);
    expect(epochMillisPerValue('1:HOURS:EPOCH')).toBe(3_600_000);
    expect(epochMillisPerValue('SIMPLE_DATE_FORMAT|yyyy')).toBeNull();
    expect(epochMillisPerValue('1:FORTNIGHTS:EPOCH')).toBeNull();
  });
});
