/**
 * `npm run build` after tsc (`node dist/build/build.js`): what the package ships besides the
 * compiled modules — the JSON Schemas, what the shipped YAML parses to, the CLI bundle and the
 * yaml package as one file.
 */
import { writeJsonSchemas } from '../playbook/json-schema.js';
import { writeParsedBuiltins } from '../playbook/parsed-builtins.js';
import { bundle } from './bundle.js';
import { vendorYaml } from './vendor.js';

writeJsonSchemas('dist/schemas');
writeParsedBuiltins();
await Promise.all([bundle(), vendorYaml()]);
