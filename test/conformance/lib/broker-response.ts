import type { JsonExact } from './json-exact.js';

/** The parts of Pinot's `BrokerResponseNative` the runners read. */
export interface BrokerResponse {
  readonly resultTable?: {
    readonly dataSchema: { readonly columnNames: string[]; readonly columnDataTypes: string[] };
    readonly rows: JsonExact[][];
  };
  readonly exceptions?: { readonly errorCode: number; readonly message: string }[];
  readonly numDocsScanned?: number;
  readonly totalDocs?: number;
  /** Pinot's compat result files mark answers that are a superset of any right answer. */
  readonly isSuperset?: boolean;
}

export function asBrokerResponse(json: JsonExact): BrokerResponse {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('broker response is not a JSON object');
  return json as unknown as BrokerResponse;
}

export function exceptionsText(r: BrokerResponse): string {
  return (r.exceptions ?? []).map((e) => `${e.errorCode}: ${e.message.replace(/\s*\n\s*/g, ' ⏎ ').slice(0, 400)}`).join('; ');
}
