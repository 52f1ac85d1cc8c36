/**
 * `npm run build` after tsc (`node dist/build/build.js`): what the package ships besides the
 * compiled modules — the JSON Schemas, what the shipped YAML parses to, and the CLI bundle.
 */
import { writeJsonSchemas } from '../playbook/json-schema.js';
import { writeParsedBuiltins } from '../playbook/parsed-builtins.js';
import { bundle } from './bundle.js';

writeJsonSchemas('dist/schemas');
writeParsedBuiltins();
await bundle();
