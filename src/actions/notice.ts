/** A reminder a playbook shows in its plan and journals when it runs: what no API can do for you. */
import * as z from '../util/zod-mini.js';
import { defineAction } from './env.js';

const Input = z.strictObject({ title: z.string().check(z.minLength(1)), lines: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) });

export default defineAction({
  input: Input,
  async plan(input) {
    return { summary: input.title, changes: [], notes: input.lines };
  },
  async run(input, _plan, ctx) {
    for (const line of input.lines) ctx.progress(line);
    return { title: input.title, lines: input.lines };
  },
});
