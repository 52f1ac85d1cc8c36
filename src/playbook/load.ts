/**
 * Loading a playbook: YAML -> schema -> rules, every problem with file, line and field. Then
 * `resolvePlaybook` fills in `${{ }}` expressions and checks each step's inputs against its action.
 */
import semver from '../util/semver.js';
import { readFileSync } from 'node:fs';
import type { ResolvedPlaybook, ResolvedStep } from '../engine/events.js';
import type { JsonObject, JsonValue } from '../util/json-path.js';
import { expressionsIn, hasExpression, interpolate, InterpolationError } from './interpolate.js';
import { PlaybookSchema, type ActionCatalog, type PlaybookFile } from './schema.js';
import { YamlSource, type Problem } from './yaml-source.js';

export interface LoadedPlaybook {
  file: string;
  source: YamlSource;
  playbook: PlaybookFile;
}

export type LoadResult = { ok: true; loaded: LoadedPlaybook } | { ok: false; problems: Problem[] };

/** The roots `${{ }}` may name. */
export const EXPRESSION_ROOTS = ['release', 'app', 'inputs'] as const;

export function loadPlaybook(file: string, catalog: ActionCatalog, text = readFileSync(file, 'utf8')): LoadResult {
  const source = new YamlSource(file, text);
  if (source.syntaxProblems.length) return { ok: false, problems: source.syntaxProblems };
  const parsed = PlaybookSchema.safeParse(source.data() ?? {});
  if (!parsed.success) return { ok: false, problems: source.fromZod(parsed.error) };
  const loaded = { file, source, playbook: parsed.data };
  const problems = RULES.flatMap((rule) => rule(loaded, catalog));
  return problems.length ? { ok: false, problems } : { ok: true, loaded };
}

type Rule = (loaded: LoadedPlaybook, catalog: ActionCatalog) => Problem[];

const uniqueStepIds: Rule = ({ playbook, source }) => {
  const seen = new Set<string>();
  return playbook.steps.flatMap((step, i) => {
    if (!seen.has(step.id)) return (seen.add(step.id), []);
    return [source.problemAt(['steps', i, 'id'], `duplicate step id "${step.id}"`)];
  });
};

const knownActions: Rule = ({ playbook, source }, catalog) =>
  playbook.steps.flatMap((step, i) =>
    catalog.inputSchema(step.uses)
      ? []
      : [source.problemAt(['steps', i, 'uses'], `unknown action "${step.uses}" (known: ${catalog.names().join(', ')})`)],
  );

/** Checks literal inputs now; fields holding expressions are checked once resolved. */
const inputsMatchAction: Rule = ({ playbook, source }, catalog) =>
  playbook.steps.flatMap((step, i) => {
    const schema = catalog.inputSchema(step.uses);
    if (!schema) return [];
    const result = schema.safeParse(step.with);
    if (result.success) return [];
    const literalIssues = result.error.issues.filter((issue) => {
      const top = issue.path[0];
      return top === undefined || !hasExpression((step.with as Record<string, unknown>)[String(top)]);
    });
    return source.fromZod({ ...result.error, issues: literalIssues } as typeof result.error, ['steps', i, 'with']);
  });

const knownExpressions: Rule = ({ playbook, source }) =>
  playbook.steps.flatMap((step, i) =>
    expressionsIn(step.with, ['steps', i, 'with']).flatMap(({ path, expr }) => {
      const [root, name] = expr.split('.');
      if (!expr) return [source.problemAt(path, 'malformed ${{ }} expression')];
      if (!EXPRESSION_ROOTS.includes(root as (typeof EXPRESSION_ROOTS)[number])) {
        return [source.problemAt(path, `\${{ ${expr} }}: unknown root "${root}" (use ${EXPRESSION_ROOTS.join(', ')})`)];
      }
      if (root === 'inputs' && (!name || !(name in playbook.inputs))) {
        return [source.problemAt(path, `\${{ ${expr} }}: input "${name}" is not declared under inputs:`)];
      }
      return [];
    }),
  );

const onePivot: Rule = ({ playbook, source }, catalog) => {
  const pivots = playbook.steps.map((s, i) => [s, i] as const).filter(([s]) => catalog.isPivot(s.uses));
  return pivots.slice(1).map(([s, i]) =>
    source.problemAt(['steps', i, 'uses'], `only one pivot (irreversible publish) per playbook; "${s.id}" is a second one`),
  );
};

const RULES: Rule[] = [uniqueStepIds, knownActions, inputsMatchAction, knownExpressions, onePivot];

/** `version`: the playbook's own app version (`version:`), which replaces app.version for the run. */
export type ResolveResult = { ok: true; playbook: ResolvedPlaybook; version?: string } | { ok: false; problems: Problem[] };

/** Fills in inputs and release facts; the result is what the run journals and executes. */
export function resolvePlaybook(
  loaded: LoadedPlaybook,
  catalog: ActionCatalog,
  vars: { release: JsonObject; app: JsonObject },
  given: Record<string, string>,
): ResolveResult {
  const { playbook, source, file } = loaded;
  const problems: Problem[] = [];
  const inputs: JsonObject = {};
  for (const name of Object.keys(given)) {
    if (!(name in playbook.inputs)) problems.push(source.problemAt(['inputs'], `--var ${name}: this playbook declares no such input (it has: ${Object.keys(playbook.inputs).join(', ') || 'none'})`));
  }
  for (const [name, spec] of Object.entries(playbook.inputs)) {
    const raw = given[name] ?? spec.default;
    if (raw === undefined) {
      if (spec.required) problems.push(source.problemAt(['inputs', name], `input "${name}" is required: pass --var ${name}=<value>`));
      continue;
    }
    if (spec.type === 'boolean') {
      const value = typeof raw === 'boolean' ? raw : parseBool(raw);
      if (value === undefined) problems.push(source.problemAt(['inputs', name], `input "${name}" must be true or false, got "${raw}"`));
      else inputs[name] = value;
    } else inputs[name] = String(raw);
  }
  if (problems.length) return { ok: false, problems };

  let version: string | undefined;
  if (playbook.version !== undefined) {
    const value = interpolate(playbook.version, { inputs }, ['version']);
    version = typeof value === 'string' ? (semver.valid(value) ?? undefined) : undefined;
    if (!version) return { ok: false, problems: [source.problemAt(['version'], `version must be a semantic version such as 2.0.1, got ${JSON.stringify(value)}`)] };
    vars = { release: { ...vars.release, version }, app: { ...vars.app, version } };
  }
  const context: JsonObject = { ...vars, inputs };
  const steps: ResolvedStep[] = [];
  playbook.steps.forEach((step, i) => {
    let values: JsonValue;
    try {
      values = interpolate(step.with as JsonObject, context, ['steps', i, 'with']);
    } catch (err) {
      if (err instanceof InterpolationError) return problems.push(source.problemAt(err.path, err.message));
      throw err;
    }
    const parsed = catalog.inputSchema(step.uses)!.safeParse(values);
    if (!parsed.success) return problems.push(...source.fromZod(parsed.error, ['steps', i, 'with']));
    steps.push({
      id: step.id,
      uses: step.uses,
      ...(step.name ? { name: step.name } : {}),
      with: parsed.data as JsonObject,
      ...(step.timeout ? { timeoutMs: step.timeout } : {}),
      retry: { attempts: step.retry?.attempts ?? 1, delayMs: step.retry?.delay ?? 2000 },
      ...(step.confirm ? { confirm: step.confirm === true ? `Run ${step.id}?` : step.confirm } : {}),
      onFailure: catalog.failsForward(step.uses) ? 'pause' : step['on-failure'],
    });
  });
  if (problems.length) return { ok: false, problems };
  return { ok: true, playbook: { name: playbook.name, description: playbook.description, file, steps }, ...(version ? { version } : {}) };
}

function parseBool(text: string): boolean | undefined {
  if (/^(true|on|yes|1)$/i.test(text)) return true;
  if (/^(false|off|no|0)$/i.test(text)) return false;
  return undefined;
}
