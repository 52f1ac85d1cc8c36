/** The playbook format (YAML under playbooks/): ordered, checkpointed steps. */
import * as z from '../util/zod.js';
import { toMilliseconds } from './duration-input.js';

/** A duration in milliseconds, written `15m` or as a number (the release config's is zod/mini's, release-config.ts). */
export const Duration = z.union([z.string(), z.number()]).transform(toMilliseconds);

export const StepSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'step ids are lowercase words joined by dashes (e.g. deploy-backend)'),
    name: z.string().optional().describe('A human title for the step'),
    uses: z.string().describe('The action this step runs, e.g. backend/deploy'),
    with: z.record(z.string(), z.unknown()).default({}).describe("The action's inputs; ${{ }} expressions allowed"),
    timeout: Duration.optional().describe('Fail the attempt after this long, e.g. 15m'),
    retry: z
      .object({
        attempts: z.number().int().min(1).max(20).default(1),
        delay: Duration.default(2000),
      })
      .strict()
      .optional()
      .describe('Attempts in all (1 = no retry) and the first delay, doubled each time'),
    confirm: z.union([z.boolean(), z.string()]).optional().describe('Ask before this step on a terminal'),
    'on-failure': z.enum(['rollback', 'pause']).default('rollback').describe('Before the pivot: undo earlier steps, or stop for a human'),
  })
  .strict();

export const InputSchema = z
  .object({
    description: z.string().optional(),
    type: z.enum(['string', 'boolean']).default('string'),
    required: z.boolean().default(false),
    default: z.union([z.string(), z.boolean()]).optional(),
  })
  .strict();

export const PlaybookSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    version: z.string().optional().describe('The app version this playbook ships instead of app.version, e.g. a hotfix: ${{ inputs.version }}'),
    inputs: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), InputSchema).default({}),
    steps: z.array(StepSchema).min(1, 'a playbook needs at least one step'),
  })
  .strict();

export type PlaybookFile = z.output<typeof PlaybookSchema>;
export type StepFile = z.output<typeof StepSchema>;

/** What the playbook loader needs to know about actions, without importing them. */
export interface ActionCatalog {
  names(): string[];
  inputSchema(uses: string): z.ZodType | undefined;
  isPivot(uses: string): boolean;
  /** A step of this action always stops for a human on failure (`on-failure: pause`): nothing before it may be undone. */
  failsForward(uses: string): boolean;
}
