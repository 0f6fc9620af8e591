export { dynamoDbPlugin } from './dynamodb-plugin.js';
export { DynamoDbConsumerFactory } from './dynamodb-consumer-factory.js';
export type { DynamoDbFactoryOptions } from './dynamodb-consumer-factory.js';
export { parseDynamoDbConfig, DYNAMODB_KEYS } from './dynamodb-config.js';
export type { DynamoDbConfig } from './dynamodb-config.js';
export { attributeJson, documentId, itemJson, numberLiteral, ID_COLUMN } from './dynamodb-attributes.js';
export { CapacityBudget } from './dynamodb-capacity-budget.js';
export type { DynamoDbStreamsApi, StreamRecord, StreamShard } from './dynamodb-streams-api.js';
