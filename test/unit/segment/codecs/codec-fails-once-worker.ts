/**
 * TEST FIXTURE. A seal worker thread whose zstd codec fails to load the first time, as under
 * file-descriptor pressure (both implementations: EMFILE), then runs the real worker entry.
 */
import { injectFailure } from '../../../../src/util/fault-points.js';
import { emfile } from './emfile.js';

injectFailure('zstd:load', emfile('worker'), 2);
await import('../../../../src/segment/seal-worker/seal-worker-thread.js');
