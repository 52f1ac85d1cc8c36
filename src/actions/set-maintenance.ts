/** Damage control: the emergency stop. Maintenance on (or off again), with a reason on record. */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { defineConfigAction } from './config-step.js';

const Input = z.strictObject({
  on: described(z.boolean(), 'true: show the maintenance screen; false: resume normal operation'),
  reason: described(z.string().check(z.minLength(3, 'say why, for the journal and the team')), 'Why, for the journal and the team'),
});

export default defineConfigAction({
  input: Input,
  targets(input, { release }) {
    return { values: { [release.keys.maintenance]: input.on }, notes: [`reason: ${input.reason}`] };
  },
});
