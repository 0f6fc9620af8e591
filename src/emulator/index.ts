export { startEmulator, EMULATOR_KINDS } from './emulator.js';
export type { Emulator, Emulator as RunningEmulator, EmulatorKind, EmulatorOptions } from './emulator.js';
export { createStream, kinesisClientFor, waitForStreamStatus, EMULATOR_CREDENTIALS, EMULATOR_REGION } from './emulator-client.js';
export { MotoServer } from './moto-server.js';
