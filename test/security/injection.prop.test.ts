/**
 * Injection into generated files, as a property: random strings (hostile
 * pieces such as `{{`, a newline, `--flag`, `|`, `</td>`, quotes and
 * backslashes, mixed with arbitrary Unicode) in every free-text and id
 * field at once. Each value either is rejected with an error Diagnostic at
 * its own path, or compiles into files that their real parsers read (yaml,
 * JSON.parse, marked, PGlite, promtool) with the value read back unchanged
 * where it was placed, and nothing added around it: no extra YAML key,
 * vLLM flag, table cell or SQL statement. One compile per run covers every
 * field, and promtool reads the rules of all runs in one call, so the
 * property stays fast at a useful number of runs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { marked, type Token, type Tokens } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.ts';
import { expandGoTemplate } from '../../src/escape/go-template.ts';
import { validatePolicy } from '../../src/load/validate.ts';
import { CONTROL_CHARACTER } from '../../src/model/common.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { emitAll, targetDiagnostics } from '../../src/targets/index.ts';
import { BATCH_PROFILES_PATH, RULES_PATH, RULES_TEST_PATH } from '../../src/targets/paths.ts';
import { rulesFileProblems } from '../../src/targets/prometheus/rules-check.ts';
import { addBedrockGroup, basePolicy, type BasePolicyInput } from '../fixtures/policies.ts';
import { promtool } from '../targets/prometheus-bin.ts';

const HOSTILE = [
  '{{',
  '}}',
  '{{ .Labels }}',
  '{{ $value }}',
  '{{ "x" }}',
  '\n',
  '\r\n',
  '\u2028',
  '\u0000',
  '\u001b[31m',
  '\t',
  '`',
  '```',
  '|',
  '\\',
  '\\|',
  '"',
  "'",
  "''",
  '--',
  '--trust-remote-code',
  '-',
  '#',
  ': ',
  '- ',
  '*',
  '_',
  '~',
  '$',
  '${x}',
  '$(id)',
  ';',
  '; DROP TABLE x; --',
  '[x](javascript:alert(1))',
  '![i](http://x)',
  '<script>',
  '</td>',
  '<!--',
  '&amp;',
  '&#x3c;',
  '>',
  '!',
  '[',
  ']',
  ' ',
  'é',
  '🚀',
  '\u202e',
  'a',
  'Z9',
];
const piece = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 }));
const hostile = fc.array(piece, { minLength: 1, maxLength: 6 }).map((xs) => xs.join(''));

/** A compiled policy's files, parsed on demand. */
interface Output {
  plan: CompiledPlan;
  files: Map<string, string>;
}
const file = (o: Output, path: string) => {
  const text = o.files.get(path);
  if (text === undefined) throw new Error(`no ${path} among ${[...o.files.keys()].join(', ')}`);
  return text;
};
const yamlOf = (o: Output, path: string) => parseDocument(file(o, path), { version: '1.1' });

/** Plain text of inline markdown tokens, as a reader sees it; raw HTML is marked so a test can refuse it. */
function inlineText(tokens: readonly Token[]): string {
  const decode = (s: string) =>
    s.replace(/&(lt|gt|amp|quot|#39|#x[0-9a-f]+|#[0-9]+);/gi, (m, e: string) =>
      e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === '#39' ? "'" : m,
    );
  return tokens
    .map((t) => {
      if (t.type === 'html') return '\u0000HTML\u0000';
      if ('tokens' in t && Array.isArray(t.tokens) && t.type !== 'codespan') return inlineText(t.tokens);
      if (t.type === 'escape') return (t as Tokens.Escape).text;
      if (t.type === 'codespan') return decode((t as Tokens.Codespan).text);
      if (t.type === 'br') return '\n';
      return decode((t as { text?: string }).text ?? t.raw);
    })
    .join('');
}

/** Every table cell of a markdown document, as plain text. */
function tableCells(md: string): string[] {
  const cells: string[] = [];
  marked.walkTokens(marked.lexer(md), (t) => {
    if (t.type !== 'table') return;
    const table = t as Tokens.Table;
    for (const row of [table.header, ...table.rows]) for (const c of row) cells.push(inlineText(c.tokens));
  });
  return cells;
}

const VLLM_FILE = /^vllm\/[^/]+\/[^/]+\.yaml$/;
const only = (o: Output, re: RegExp) => {
  const paths = [...o.files.keys()].filter((p) => re.test(p));
  expect(paths.length, `one file matching ${re}`).toBe(1);
  return paths[0]!;
};
const json = (o: Output, path: string) => JSON.parse(file(o, path));
const firstValue = <T>(record: Record<string, T>): T => Object.values(record)[0]!;

/**
 * The base policy with a second SLO target on interactive latency, whose rule names the interactive model groups in a regex,
 * and a passthrough provider, whose plain parameters LiteLLM's config carries as written.
 */
function testPolicy(): BasePolicyInput {
  const p = basePolicy();
  p.slos!.targets!.push({ id: 'latency', metric: 'interactive_latency_p95_ms', objective: [{ op: '<', value: 2000 }] });
  addBedrockGroup(p, 'bedrock-claude', 'bedrock');
  return p;
}

function compiled(input: BasePolicyInput): { output?: Output; errors: Diagnostic[] } {
  const v = validatePolicy(input);
  if (!v.policy) return { errors: v.diagnostics.filter((d) => d.severity === 'error') };
  const c = compilePolicy(v.policy);
  if (!c.plan) return { errors: c.diagnostics.filter((d) => d.severity === 'error') };
  const target = targetDiagnostics(c.plan).filter((d) => d.severity === 'error');
  if (target.length > 0) return { errors: target };
  return { output: { plan: c.plan, files: new Map(emitAll(c.plan).map((a) => [a.path, a.content])) }, errors: [] };
}

const BASE_OUTPUT = compiled(testPolicy()).output!;
/** The flags a vLLM config has for the base policy: a value must never add or remove one. */
const VLLM_KEYS = Object.keys(yamlOf(BASE_OUTPUT, only(BASE_OUTPUT, VLLM_FILE)).toJS() as object);
const TABLE_SHAPES = new Map([...BASE_OUTPUT.files].filter(([p]) => p.endsWith('.md')).map(([p, md]) => [p, tableShape(md)]));

function tableShape(md: string): string {
  const shape: string[] = [];
  marked.walkTokens(marked.lexer(md), (t) => {
    if (t.type === 'table') shape.push([(t as Tokens.Table).header.length, ...(t as Tokens.Table).rows.map((r) => r.length)].join(','));
  });
  return shape.join(';');
}

/** Every file parses with its reader, holds no control character but line ends, and keeps the structure of the base output. */
function checkStructure(o: Output): void {
  expect([...o.files.keys()].length).toBe(BASE_OUTPUT.files.size);
  for (const [path, text] of o.files) {
    expect(CONTROL_CHARACTER.test(text.replace(/\n/g, '')), `${path} holds a control character`).toBe(false);
    if (path.endsWith('.json')) JSON.parse(text);
    if (path.endsWith('.yaml') || path.endsWith('.yml')) {
      for (const doc of parseAllDocuments(text, { version: '1.1' }) as ReturnType<typeof parseDocument>[]) expect(doc.errors, path).toEqual([]);
    }
    if (path.endsWith('.md')) expect(tableShape(text), `${path}: tables keep their cells`).toBe(TABLE_SHAPES.get(path));
  }
  expect(Object.keys(yamlOf(o, only(o, VLLM_FILE)).toJS() as object)).toEqual(VLLM_KEYS);
  expect(rulesFileProblems(file(o, RULES_PATH))).toEqual([]);
}

interface Field {
  name: string;
  /** Where a diagnostic about this value is reported (policy paths, and plan paths for target diagnostics). */
  paths: (v: string) => string[];
  /** Ids and host names: drawn mostly from their own alphabet, so that accepted values are common. */
  idLike?: boolean;
  set(p: BasePolicyInput, v: string): void;
  /** Where the value lands, read back with each format's parser. */
  readBack(o: Output, v: string): void;
}

const at =
  (...paths: string[]) =>
  () =>
    paths;

const FIELDS: Field[] = [
  {
    name: 'policy name',
    paths: at('name'),
    set: (p, v) => void (p.name = v),
    readBack: (o, v) => {
      expect(json(o, 'plan.json').name).toBe(v);
      expect(json(o, 'grafana/routing.json').title).toBe(`Switchyard routing (${v})`);
      expect(yamlOf(o, RULES_PATH).commentBefore).toContain(`Prometheus rules for plan ${v} (`);
      expect(yamlOf(o, 'litellm/config.yaml').commentBefore).toContain(`from the policy "${v}"`);
      expect(json(o, BATCH_PROFILES_PATH).plan.name).toBe(v);
    },
  },
  {
    name: 'policy description',
    paths: at('description'),
    set: (p, v) => void (p.description = v),
    readBack: (o, v) => expect(json(o, 'plan.json').description).toBe(v),
  },
  {
    name: 'deployment model',
    paths: at('deployments[0].model'),
    set: (p, v) => void (p.deployments[0]!.model = v),
    readBack: (o, v) => {
      expect(json(o, 'plan.json').deployments['openai-gpt-4o'].model).toBe(v);
      const list = (yamlOf(o, 'litellm/config.yaml').toJS() as { model_list: { litellm_params: { model: string }; model_info: { id: string } }[] }).model_list;
      expect(list.find((m) => m.model_info.id.endsWith('/openai-gpt-4o'))?.litellm_params.model).toBe(`openai/${v}`);
      expect(tableCells(file(o, 'docs/runbooks/router-outage.md')).some((c) => c.includes(`openai-gpt-4o (openai, ${v})`))).toBe(true);
    },
  },
  {
    name: 'deployment tag',
    paths: at('deployments[0].tags'),
    set: (p, v) => void (p.deployments[0]!.tags = [v]),
    readBack: (o, v) => expect(json(o, 'plan.json').deployments['openai-gpt-4o'].tags).toEqual([v]),
  },
  {
    name: 'deployment id',
    paths: (v) => ['deployments[1].id', `deployments.${v}`],
    idLike: true,
    set: (p, v) => {
      p.deployments[1]!.id = v;
      p.modelGroups[1]!.deployments = [v];
    },
    readBack: (o, v) => {
      expect(Object.keys(json(o, 'plan.json').deployments)).toContain(v);
      const list = (yamlOf(o, 'litellm/config.yaml').toJS() as { model_list: { model_info: { id: string } }[] }).model_list;
      expect(list.map((m) => m.model_info.id.split('/').pop())).toContain(v);
    },
  },
  {
    name: 'provider region',
    paths: at('providers[1].region'),
    set: (p, v) => void (p.providers[1]!.region = v),
    readBack: (o, v) => expect(json(o, 'plan.json').providers.azure.region).toBe(v),
  },
  {
    name: 'provider apiBase path',
    paths: at('providers[1].apiBase'),
    set: (p, v) => void (p.providers[1]!.apiBase = `https://example.openai.azure.com/${v}`),
    readBack: (o, v) => expect(json(o, 'plan.json').providers.azure.apiBase).toBe(`https://example.openai.azure.com/${v}`),
  },
  {
    name: 'LiteLLM passthrough parameter',
    paths: at('providers[3].litellm.params'),
    set: (p, v) => void (p.providers[3]!.litellm!.params = { aws_region_name: v }),
    readBack: (o, v) => {
      expect(json(o, 'plan.json').providers.bedrock.passthrough.params).toEqual({ aws_region_name: v });
      const list = (yamlOf(o, 'litellm/config.yaml').toJS() as { model_list: { litellm_params: Record<string, unknown>; model_info: { id: string } }[] })
        .model_list;
      expect(list.find((m) => m.model_info.id.endsWith('/bedrock-claude'))?.litellm_params.aws_region_name).toBe(v);
    },
  },
  {
    name: 'provider id',
    paths: (v) => ['providers[2].id', `providers.${v}`],
    idLike: true,
    set: (p, v) => {
      p.providers[2]!.id = v;
      p.deployments[2]!.provider = v;
    },
    readBack: (o, v) => {
      expect(json(o, 'plan.json').deployments['local-llama'].provider).toBe(v);
      expect(yamlOf(o, only(o, VLLM_FILE)).commentBefore).toContain(`Provider ${v} (`);
    },
  },
  {
    name: 'model group description',
    paths: at('modelGroups[0].description'),
    set: (p, v) => void (p.modelGroups[0]!.description = v),
    readBack: (o, v) => expect(json(o, 'plan.json').groups.chat.description).toBe(v),
  },
  {
    name: 'model group name',
    paths: (v) => ['modelGroups[1].name', `groups.${v}`],
    idLike: true,
    set: (p, v) => {
      p.modelGroups[1]!.name = v;
      p.modelGroups[0]!.fallbacks = [v, 'local'];
    },
    readBack: (o, v) => {
      expect(json(o, 'plan.json').groups.chat.fallbacks[0]).toBe(v);
      const names = (yamlOf(o, 'litellm/config.yaml').toJS() as { model_list: { model_name: string }[] }).model_list.map((m) => m.model_name);
      expect(names).toContain(v);
      // the interactive-latency rule matches the group by an RE2 alternation inside a PromQL string
      const rules = file(o, RULES_PATH);
      const literal = /requested_model=~("(?:[^"\\]|\\.)*")/.exec(rules)![1]!;
      const alternation = JSON.parse(literal) as string;
      expect(new RegExp(`^(?:${alternation})$`).test(v)).toBe(true);
      expect(new RegExp(`^(?:${alternation})$`).test(`${v}x`)).toBe(false);
    },
  },
  {
    name: 'tenant description',
    paths: at('tenants[0].description'),
    set: (p, v) => void (p.tenants[0]!.description = v),
    readBack: (o, v) => expect(json(o, 'plan.json').tenants.support.description).toBe(v),
  },
  {
    name: 'tenant id',
    paths: (v) => ['tenants[1].id', `tenants.${v}`],
    idLike: true,
    set: (p, v) => void (p.tenants[1]!.id = v),
    readBack: (o, v) => expect(Object.keys(json(o, 'plan.json').tenants)).toContain(v),
  },
  {
    name: 'GPU model',
    paths: at('gpuPools[0].gpu.model'),
    set: (p, v) => void (p.gpuPools[0]!.gpu.model = v),
    readBack: (o, v) => {
      expect(firstValue(json(o, 'plan.json').pools as Record<string, { gpu: { model: string } }>).gpu.model).toBe(v);
      expect(yamlOf(o, only(o, VLLM_FILE)).commentBefore).toContain(`(1x ${v}, 32 GB)`);
    },
  },
  {
    name: 'pool id',
    paths: (v) => ['gpuPools[0].id', `pools.${v}`],
    idLike: true,
    set: (p, v) => {
      p.gpuPools[0]!.id = v;
      p.deployments[2]!.pool = v;
    },
    readBack: (o, v) => {
      expect(Object.keys(json(o, 'plan.json').pools)).toEqual([v]);
      expect(only(o, VLLM_FILE).startsWith(`vllm/${v}/`)).toBe(true);
    },
  },
  {
    name: 'pool host',
    paths: at('gpuPools[0].host'),
    idLike: true,
    set: (p, v) => void (p.gpuPools[0]!.host = v),
    readBack: (o, v) => {
      const config = only(o, VLLM_FILE);
      expect((yamlOf(o, config).toJS() as { host: string }).host).toBe(v);
      const args = JSON.parse(file(o, config.replace(/\.yaml$/, '.args.json'))) as string[];
      expect(args[args.indexOf('--host') + 1]).toBe(v);
    },
  },
  {
    name: 'pool model served name',
    paths: at('gpuPools[0].models[0].servedName', 'deployments[2].model'),
    idLike: true,
    set: (p, v) => {
      p.gpuPools[0]!.models[0]!.servedName = v;
      p.deployments[2]!.model = v;
    },
    readBack: (o, v) => {
      const config = only(o, VLLM_FILE);
      expect(config.endsWith(`/${v}.yaml`)).toBe(true);
      expect((yamlOf(o, config).toJS() as Record<string, unknown>)['served-model-name']).toEqual([v]);
      expect(JSON.parse(file(o, config.replace(/\.yaml$/, '.args.json')))).toContain(v);
    },
  },
  {
    name: 'batch profile id',
    paths: (v) => ['batchProfiles[0].id', `batchProfiles.${v}`],
    idLike: true,
    set: (p, v) => void (p.batchProfiles[0]!.id = v),
    readBack: (o, v) => {
      expect(Object.keys(json(o, BATCH_PROFILES_PATH).profiles)).toEqual([v]);
      expect(firstValue(json(o, BATCH_PROFILES_PATH).profiles as Record<string, { metadata: Record<string, string> }>).metadata.switchyard_profile).toBe(v);
      expect(tableCells(file(o, 'docs/runbooks/batch-failure.md'))).toContain(v);
    },
  },
  {
    name: 'batch profile model',
    paths: at('batchProfiles[0].model'),
    set: (p, v) => void (p.batchProfiles[0]!.model = v),
    readBack: (o, v) => {
      expect(firstValue(json(o, 'plan.json').batchProfiles as Record<string, { model: string }>).model).toBe(v);
      expect(firstValue(json(o, BATCH_PROFILES_PATH).profiles as Record<string, { model: string }>).model).toBe(v);
      expect(tableCells(file(o, 'docs/runbooks/batch-failure.md'))).toContain(v);
    },
  },
  {
    name: 'batch profile description',
    paths: at('batchProfiles[0].description'),
    set: (p, v) => void (p.batchProfiles[0]!.description = v),
    readBack: (o, v) => expect(firstValue(json(o, BATCH_PROFILES_PATH).profiles as Record<string, { description: string }>).description).toBe(v),
  },
  {
    name: 'batch metadata key and value',
    paths: at('batchProfiles[0].metadata'),
    set: (p, v) => void (p.batchProfiles[0]!.metadata = { [v]: v }),
    readBack: (o, v) => {
      expect(firstValue(json(o, 'plan.json').batchProfiles as Record<string, { metadata: object }>).metadata).toEqual({ [v]: v });
      expect(firstValue(json(o, BATCH_PROFILES_PATH).profiles as Record<string, { metadata: Record<string, string> }>).metadata[v]).toBe(v);
    },
  },
  {
    name: 'redaction rule name',
    paths: at('batchProfiles[0].redaction.rules[0].name'),
    idLike: true,
    set: (p, v) => void (p.batchProfiles[0]!.redaction.rules![0]!.name = v),
    readBack: (o, v) => {
      const rules = firstValue(json(o, BATCH_PROFILES_PATH).profiles as Record<string, { redaction: { rules: { name: string }[] } }>).redaction.rules;
      expect(rules.map((r) => r.name)).toEqual([v]);
      expect(tableCells(file(o, 'docs/runbooks/batch-failure.md')).some((c) => c.split(', ').includes(v))).toBe(true);
    },
  },
  {
    name: 'redaction rule replacement',
    paths: at('batchProfiles[0].redaction.rules[0].replacement'),
    set: (p, v) => void (p.batchProfiles[0]!.redaction.rules![0]!.replacement = v),
    readBack: (o, v) =>
      expect(
        firstValue(json(o, BATCH_PROFILES_PATH).profiles as Record<string, { redaction: { rules: { replacement: string }[] } }>).redaction.rules[0]!
          .replacement,
      ).toBe(v),
  },
  {
    name: 'redaction rule pattern',
    paths: at('batchProfiles[0].redaction.rules[0].pattern'),
    set: (p, v) => void (p.batchProfiles[0]!.redaction.rules![0]!.pattern = v),
    readBack: (o, v) => {
      expect(
        firstValue(json(o, 'plan.json').batchProfiles as Record<string, { redaction: { rules: { pattern: string }[] } }>).redaction.rules[0]!.pattern,
      ).toBe(v);
      expect(() => new RegExp(v, 'g')).not.toThrow();
    },
  },
  {
    name: 'SLO target description',
    paths: at('slos.targets[0].description'),
    set: (p, v) => void (p.slos!.targets![0]!.description = v),
    readBack: (o, v) => {
      const rules = yamlOf(o, RULES_PATH).toJS() as { groups: { rules: { alert?: string; annotations?: { description: string } }[] }[] };
      const alert = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === 'SwitchyardSloErrorRate')!;
      // what Prometheus prints when the alert fires (promtool test rules confirms the expansion, below)
      expect(expandGoTemplate(alert.annotations!.description, {}).startsWith(v === '' ? 'Error rate' : `${v} `)).toBe(true);
    },
  },
  {
    name: 'SLO target id',
    paths: (v) => ['slos.targets[1].id', `slos.targets.${v}`],
    idLike: true,
    set: (p, v) => void (p.slos!.targets![1]!.id = v),
    readBack: (o, v) => expect(Object.keys(json(o, 'plan.json').slos.targets)).toContain(v),
  },
  {
    name: 'alert description',
    paths: at('slos.alerts[0].description'),
    set: (p, v) => void (p.slos!.alerts![0]!.description = v),
    readBack: (o, v) => expect(firstValue(json(o, 'plan.json').slos.alerts as Record<string, { description: string }>).description).toBe(v),
  },
  {
    name: 'alert id',
    paths: (v) => ['slos.alerts[0].id', `slos.alerts.${v}`],
    idLike: true,
    set: (p, v) => void (p.slos!.alerts![0]!.id = v),
    readBack: (o, v) => expect(Object.keys(json(o, 'plan.json').slos.alerts)).toEqual([v]),
  },
];

const idLike = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/);
const arbitraryFor = (f: Field) => (f.idLike ? fc.oneof({ arbitrary: idLike, weight: 4 }, { arbitrary: hostile, weight: 1 }) : hostile);
const values = fc.tuple(...FIELDS.map(arbitraryFor));

/** Where a diagnostic path falls: the field whose value it is about. */
const owns = (f: Field, v: string, path: string) => f.paths(v).some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));

/**
 * Every field set at once; a field a diagnostic names is set back to the
 * base value and the rest compiled again, until the policy compiles. A
 * diagnostic no field owns fails the property: the value broke something
 * it should not reach.
 */
function compileFields(vs: readonly string[]): { output: Output; accepted: Field[]; rejected: Field[] } {
  let active = FIELDS.map((f, i) => ({ f, v: vs[i]! }));
  const rejected: Field[] = [];
  for (;;) {
    const input = testPolicy();
    for (const { f, v } of active) f.set(input, v);
    const { output, errors } = compiled(input);
    if (output) return { output, accepted: active.map((a) => a.f), rejected };
    const named = active.filter(({ f, v }) => errors.some((d) => owns(f, v, d.path)));
    expect(named.length, `errors no field owns: ${errors.map((d) => `${d.path}: ${d.message}`).join('; ')}`).toBeGreaterThan(0);
    rejected.push(...named.map((a) => a.f));
    active = active.filter((a) => !named.includes(a));
  }
}

interface TestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: { exp_annotations: { description: string } }[] }[] }[];
}

describe('random strings in every free-text and id field: rejected at their path, or read back unchanged by the real parsers', () => {
  let db: PGlite;
  let dir: string;
  beforeAll(async () => {
    db = new PGlite();
    await db.waitReady;
    dir = mkdtempSync(join(tmpdir(), 'switchyard-injection-'));
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plain values in every field are all accepted and read back (the property is not vacuous)', () => {
    const { output, accepted } = compileFields(FIELDS.map((f, i) => (f.name === 'policy name' ? 'Plain name' : `plain-${i}`)));
    expect(accepted.map((f) => f.name)).toEqual(FIELDS.map((f) => f.name));
    checkStructure(output);
    FIELDS.forEach((f, i) => f.readBack(output, f.name === 'policy name' ? 'Plain name' : `plain-${i}`));
  });

  it('YAML, JSON, Markdown and SQL (PGlite) for every run; PromQL by promtool for all runs at once', async () => {
    const acceptedHostile = new Map<string, number>(FIELDS.map((f) => [f.name, 0]));
    const runs: { dir: string; description?: string }[] = [];
    await fc.assert(
      fc.asyncProperty(values, async (vs) => {
        const { output: o, accepted } = compileFields(vs);
        checkStructure(o);
        for (const f of accepted) {
          const v = vs[FIELDS.indexOf(f)]!;
          f.readBack(o, v);
          acceptedHostile.set(f.name, acceptedHostile.get(f.name)! + 1);
        }
        // SQL: the whole file runs in PostgreSQL (one transaction), and values read back through the views
        await db.exec(file(o, 'sql/routing_analytics.sql'));
        const deployments = await db.query<{ deployment: string; model: string }>(
          'SELECT deployment, model FROM switchyard.plan_deployments ORDER BY deployment',
        );
        expect(deployments.rows.map((r) => r.deployment).sort()).toEqual(Object.keys(o.plan.deployments).sort());
        expect(deployments.rows.find((r) => r.deployment === 'openai-gpt-4o')?.model).toBe(o.plan.deployments['openai-gpt-4o']!.model);
        const tenants = await db.query<{ tenant: string }>('SELECT tenant FROM switchyard.plan_tenants');
        expect(tenants.rows.map((r) => r.tenant).sort()).toEqual(Object.keys(o.plan.tenants).sort());
        const views = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_views WHERE schemaname = 'switchyard'`);
        expect(views.rows[0]!.n).toBe(16);
        // PromQL: kept for one promtool call after the property
        const run = join(dir, `run-${runs.length}`);
        mkdirSync(run);
        writeFileSync(join(run, 'routing.rules.yml'), file(o, RULES_PATH));
        writeFileSync(join(run, 'routing.rules.test.yml'), file(o, RULES_TEST_PATH));
        const slo = FIELDS.find((f) => f.name === 'SLO target description')!;
        runs.push({ dir: run, ...(accepted.includes(slo) ? { description: vs[FIELDS.indexOf(slo)]! } : {}) });
      }),
      { numRuns: 40 },
    );

    const check = promtool(['check', 'rules', ...runs.map((r) => join(r.dir, 'routing.rules.yml'))]);
    expect(check.code, check.output).toBe(0);
    // promtool test rules evaluates every alert over time (about a second per file): a few runs with a hostile SLO description
    const tested = runs.filter((r) => r.description !== undefined).slice(0, 4);
    expect(tested.length).toBeGreaterThan(0);
    const test = promtool(['test', 'rules', ...tested.map((r) => join(r.dir, 'routing.rules.test.yml'))]);
    expect(test.code, test.output).toBe(0);
    // the test files expect each description as expandGoTemplate prints it; promtool compared that with Go's own expansion
    for (const r of tested) {
      const fired = (parseDocument(readFileSync(join(r.dir, 'routing.rules.test.yml'), 'utf8')).toJS() as TestFile).tests
        .flatMap((t) => t.alert_rule_test ?? [])
        .filter((a) => a.alertname === 'SwitchyardSloErrorRate')
        .flatMap((a) => (a.exp_alerts ?? []).map((e) => e.exp_annotations.description));
      expect(fired.length).toBeGreaterThan(0);
      for (const text of fired) expect(text.startsWith(r.description === '' ? 'Error rate' : `${r.description} `)).toBe(true);
    }
    // ids are drawn mostly from their alphabet: each id field got through with random values
    for (const f of FIELDS.filter((x) => x.idLike)) expect(acceptedHostile.get(f.name), f.name).toBeGreaterThan(0);
  });

  it('values that must be refused are refused at their path: control characters, leading dashes, hosts that are not hosts', () => {
    const refused: Array<[string, (p: BasePolicyInput) => void, string]> = [
      ['a newline in a GPU model', (p) => void (p.gpuPools[0]!.gpu.model = 'A100\nenable-lora: true'), 'gpuPools[0].gpu.model'],
      ['ESC in a description', (p) => void (p.description = 'x\u001b[2Jy'), 'description'],
      ['a flag as a pool host', (p) => void (p.gpuPools[0]!.host = '0.0.0.0 --trust-remote-code'), 'gpuPools[0].host'],
      ['a leading dash in a model', (p) => void (p.deployments[0]!.model = '--api-key=x'), 'deployments[0].model'],
      ['a flag as the vLLM model', (p) => void (p.gpuPools[0]!.models[0]!.model = '--trust-remote-code'), 'gpuPools[0].models[0].model'],
      ['a glob in the vLLM model', (p) => void (p.gpuPools[0]!.models[0]!.model = 'meta-llama/*'), 'gpuPools[0].models[0].model'],
      ['a NUL in a tag', (p) => void (p.deployments[0]!.tags = ['a\u0000b']), 'deployments[0].tags[0]'],
      ['a bidirectional override in a tenant description', (p) => void (p.tenants[0]!.description = 'ok\u202eevil'), 'tenants[0].description'],
      ['a line separator in a batch model', (p) => void (p.batchProfiles[0]!.model = 'gpt\u2028x'), 'batchProfiles[0].model'],
      [
        'a line break for YAML 1.1 (NEL) in a LiteLLM parameter',
        (p) => void (p.providers[3]!.litellm!.params = { aws_region_name: 'eu\u0085west' }),
        'providers[3].litellm.params.aws_region_name',
      ],
      [
        'a bidirectional override in a LiteLLM parameter',
        (p) => void (p.providers[3]!.litellm!.params = { aws_region_name: 'ok\u202eevil' }),
        'providers[3].litellm.params.aws_region_name',
      ],
      [
        'a redaction pattern that does not compile',
        (p) => void (p.batchProfiles[0]!.redaction.rules![0]!.pattern = '(unclosed'),
        'batchProfiles[0].redaction.rules[0].pattern',
      ],
    ];
    for (const [name, edit, path] of refused) {
      const p = testPolicy();
      edit(p);
      const v = validatePolicy(p);
      expect(v.policy, name).toBeUndefined();
      expect(
        v.diagnostics.filter((d) => d.severity === 'error').map((d) => d.path),
        name,
      ).toContain(path);
    }
  });
});
