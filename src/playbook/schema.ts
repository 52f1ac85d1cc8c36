/** The playbook format (YAML under playbooks/): ordered, checkpointed steps. */
import * as z from '../util/zod-mini.js';
import { described } from '../util/zod-mini.js';
import { Duration } from './duration-input.js';

export const StepSchema = z.strictObject({
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/, 'step ids are lowercase words joined by dashes (e.g. deploy-backend)')),
  name: described(z.optional(z.string()), 'A human title for the step'),
  uses: described(z.string(), 'The action this step runs, e.g. backend/deploy'),
  with: described(z._default(z.record(z.string(), z.unknown()), {}), "The action's inputs; ${{ }} expressions allowed"),
  timeout: described(z.optional(Duration), 'Fail the attempt after this long, e.g. 15m'),
  retry: described(
    z.optional(
      z.strictObject({
        attempts: z._default(z.number().check(z.int(), z.gte(1), z.lte(20)), 1),
        delay: z._default(Duration, 2000),
      }),
    ),
    'Attempts in all (1 = no retry) and the first delay, doubled each time',
  ),
  confirm: described(z.optional(z.union([z.boolean(), z.string()])), 'Ask before this step on a terminal'),
  'on-failure': described(z._default(z.enum(['rollback', 'pause']), 'rollback'), 'Before the pivot: undo earlier steps, or stop for a human'),
});

export const InputSchema = z.strictObject({
  description: z.optional(z.string()),
  type: z._default(z.enum(['string', 'boolean']), 'string'),
  required: z._default(z.boolean(), false),
  default: z.optional(z.union([z.string(), z.boolean()])),
});

export const PlaybookSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  version: described(z.optional(z.string()), 'The app version this playbook ships instead of app.version, e.g. a hotfix: ${{ inputs.version }}'),
  inputs: z._default(z.record(z.string().check(z.regex(/^[a-z][a-z0-9_-]*$/)), InputSchema), {}),
  steps: z.array(StepSchema).check(z.minLength(1, 'a playbook needs at least one step')),
});

export type PlaybookFile = z.output<typeof PlaybookSchema>;
export type StepFile = z.output<typeof StepSchema>;

/** What the playbook loader needs to know about actions, without importing them. */
export interface ActionCatalog {
  names(): string[];
  inputSchema(uses: string): z.ZodMiniType | undefined;
  isPivot(uses: string): boolean;
  /** A step of this action always stops for a human on failure (`on-failure: pause`): nothing before it may be undone. */
  failsForward(uses: string): boolean;
}
