/** The `dynamodb-kinesis` decoder plugin: DynamoDB change records carried on a Kinesis stream (Kinesis Data Streams for DynamoDB). */
export { createDynamoDbKinesisDecoder, CREATION_TIME_FIELD, DELETE_COLUMN_KEY, EVENT_NAME_FIELD, ID_RENAME_KEY, KEY_ATTRIBUTES_KEY } from './dynamodb-kinesis-decoder.js';
