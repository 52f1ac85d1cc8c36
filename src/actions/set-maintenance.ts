/** Damage control: the emergency stop. Maintenance on (or off again), with a reason on record. */
import * as z from '../util/zod.js';
import { defineConfigAction } from './config-step.js';

const Input = z
  .object({
    on: z.boolean().describe('true: show the maintenance screen; false: resume normal operation'),
    reason: z.string().min(3, 'say why, for the journal and the team').describe('Why, for the journal and the team'),
  })
  .strict();

export default defineConfigAction({
  input: Input,
  targets(input, { release }) {
    return { values: { [release.keys.maintenance]: input.on }, notes: [`reason: ${input.reason}`] };
  },
});
