/** The JSON decoder plugin (`stream.<type>.decoder.class.name` = Pinot's JSON decoder classes). */
export { createJsonDecoder } from './json-decoder.js';
export { MAX_JSON_DEPTH } from './json-depth.js';
