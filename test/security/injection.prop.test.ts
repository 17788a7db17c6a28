/**
 * Injection into generated files, as a property: a random string (hostile
 * pieces such as `{{`, a newline, `--flag`, `|`, `</td>`, quotes and
 * backslashes, mixed with arbitrary Unicode) in any free-text or id field
 * either is rejected with an error Diagnostic, or compiles into files that
 * their real parsers read (yaml, JSON.parse, marked, PGlite, promtool) with
 * the value read back unchanged where it was placed, and nothing added
 * around it: no extra YAML key, vLLM flag, table cell or SQL statement.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { marked, type Token, type Tokens } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { hasErrors } from '../../src/diagnostics/diagnostic.ts';
import { expandGoTemplate } from '../../src/escape/go-template.ts';
import { validatePolicy } from '../../src/load/validate.ts';
import { CONTROL_CHARACTER } from '../../src/model/common.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { emitAll } from '../../src/targets/index.ts';
import { RULES_PATH, RULES_TEST_PATH } from '../../src/targets/paths.ts';
import { basePolicy, type BasePolicyInput } from '../fixtures/policies.ts';
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
const VLLM = 'vllm/pool-a/llama-3.1-8b-instruct';

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

/** The flags a vLLM config has for the base policy: a value must never add or remove one. */
const BASE_OUTPUT = output(basePolicy())!;
const VLLM_KEYS = Object.keys(yamlOf(BASE_OUTPUT, `${VLLM}.yaml`).toJS() as object);
const TABLE_SHAPES = new Map([...BASE_OUTPUT.files].filter(([p]) => p.endsWith('.md')).map(([p, md]) => [p, tableShape(md)]));

function tableShape(md: string): string {
  const shape: string[] = [];
  marked.walkTokens(marked.lexer(md), (t) => {
    if (t.type === 'table') shape.push([(t as Tokens.Table).header.length, ...(t as Tokens.Table).rows.map((r) => r.length)].join(','));
  });
  return shape.join(';');
}

function output(input: BasePolicyInput): Output | undefined {
  const v = validatePolicy(input);
  if (!v.policy) {
    expect(hasErrors(v.diagnostics)).toBe(true);
    return undefined;
  }
  const c = compilePolicy(v.policy);
  if (!c.plan) {
    expect(hasErrors(c.diagnostics)).toBe(true);
    return undefined;
  }
  return { plan: c.plan, files: new Map(emitAll(c.plan).map((a) => [a.path, a.content])) };
}

/** Every file parses with its reader, holds no control character but line ends, and keeps the structure of the base output. */
function checkStructure(o: Output): void {
  for (const [path, text] of o.files) {
    expect(CONTROL_CHARACTER.test(text.replace(/\n/g, '')), `${path} holds a control character`).toBe(false);
    if (path.endsWith('.json')) JSON.parse(text);
    if (path.endsWith('.yaml') || path.endsWith('.yml')) {
      for (const doc of parseAllDocuments(text, { version: '1.1' }) as ReturnType<typeof parseDocument>[]) expect(doc.errors, path).toEqual([]);
    }
    if (path.endsWith('.md')) expect(tableShape(text), `${path}: tables keep their cells`).toBe(TABLE_SHAPES.get(path));
  }
  const vllm = o.files.get(`${VLLM}.yaml`);
  if (vllm !== undefined) expect(Object.keys(parseDocument(vllm).toJS() as object)).toEqual(VLLM_KEYS);
}

interface Field {
  name: string;
  set(p: BasePolicyInput, v: string): void;
  /** Where the value lands, read back with each format's parser. */
  readBack(o: Output, v: string): void;
}

const FIELDS: Field[] = [
  {
    name: 'policy name',
    set: (p, v) => void (p.name = v),
    readBack: (o, v) => {
      expect(JSON.parse(file(o, 'plan.json')).name).toBe(v);
      expect(JSON.parse(file(o, 'grafana/routing.json')).title).toBe(`Switchyard routing (${v})`);
      expect(yamlOf(o, RULES_PATH).commentBefore).toContain(`Prometheus rules for plan ${v} (`);
      expect(yamlOf(o, 'litellm/config.yaml').commentBefore).toContain(`from the policy "${v}"`);
    },
  },
  {
    name: 'policy description',
    set: (p, v) => void (p.description = v),
    readBack: (o, v) => expect(JSON.parse(file(o, 'plan.json')).description).toBe(v),
  },
  {
    name: 'deployment model',
    set: (p, v) => void (p.deployments[0]!.model = v),
    readBack: (o, v) => {
      expect(JSON.parse(file(o, 'plan.json')).deployments['openai-gpt-4o'].model).toBe(v);
      const list = (yamlOf(o, 'litellm/config.yaml').toJS() as { model_list: { litellm_params: { model: string }; model_info: { id: string } }[] }).model_list;
      expect(list.find((m) => m.model_info.id === 'chat/openai-gpt-4o')?.litellm_params.model).toBe(`openai/${v}`);
      expect(tableCells(file(o, 'docs/runbooks/router-outage.md'))).toContain(`openai-gpt-4o (openai, ${v})`);
    },
  },
  {
    name: 'deployment tag',
    set: (p, v) => void (p.deployments[1]!.tags = [v]),
    readBack: (o, v) => expect(JSON.parse(file(o, 'plan.json')).deployments['azure-gpt-4o'].tags).toEqual([v]),
  },
  {
    name: 'provider region',
    set: (p, v) => void (p.providers[1]!.region = v),
    readBack: (o, v) => expect(JSON.parse(file(o, 'plan.json')).providers.azure.region).toBe(v),
  },
  {
    name: 'provider apiBase',
    set: (p, v) => void (p.providers[2]!.apiBase = `http://pool-a.internal:8000/${v}`),
    readBack: (o, v) => {
      const url = JSON.parse(file(o, 'plan.json')).providers['vllm-a'].apiBase as string;
      expect(url.startsWith('http://pool-a.internal:8000/')).toBe(true);
      expect(url).toBe(`http://pool-a.internal:8000/${v}`);
      expect(yamlOf(o, `${VLLM}.yaml`).commentBefore).toContain(`Provider vllm-a (${url})`);
    },
  },
  {
    name: 'model group description',
    set: (p, v) => void (p.modelGroups[0]!.description = v),
    readBack: (o, v) => expect(JSON.parse(file(o, 'plan.json')).groups.chat.description).toBe(v),
  },
  {
    name: 'tenant description',
    set: (p, v) => void (p.tenants[0]!.description = v),
    readBack: (o, v) => expect(JSON.parse(file(o, 'plan.json')).tenants.support.description).toBe(v),
  },
  {
    name: 'tenant id',
    set: (p, v) => void (p.tenants[0]!.id = v),
    readBack: (o, v) => expect(Object.keys(JSON.parse(file(o, 'plan.json')).tenants)).toContain(v),
  },
  {
    name: 'GPU model',
    set: (p, v) => void (p.gpuPools[0]!.gpu.model = v),
    readBack: (o, v) => {
      expect(JSON.parse(file(o, 'plan.json')).pools['pool-a'].gpu.model).toBe(v);
      expect(yamlOf(o, `${VLLM}.yaml`).commentBefore).toContain(`(1x ${v}, 32 GB)`);
    },
  },
  {
    name: 'pool host',
    set: (p, v) => void (p.gpuPools[0]!.host = v),
    readBack: (o, v) => {
      expect((yamlOf(o, `${VLLM}.yaml`).toJS() as { host: string }).host).toBe(v);
      const args = JSON.parse(file(o, `${VLLM}.args.json`)) as string[];
      expect(args[args.indexOf('--host') + 1]).toBe(v);
    },
  },
  {
    name: 'pool model served name',
    set: (p, v) => {
      p.gpuPools[0]!.models[0]!.servedName = v;
      p.deployments[2]!.model = v;
    },
    readBack: (o, v) => {
      const path = `vllm/pool-a/${v}`;
      expect((yamlOf(o, `${path}.yaml`).toJS() as Record<string, unknown>)['served-model-name']).toEqual([v]);
      expect(JSON.parse(file(o, `${path}.args.json`))).toContain(v);
    },
  },
  {
    name: 'batch profile model',
    set: (p, v) => void (p.batchProfiles[0]!.model = v),
    readBack: (o, v) => {
      expect(JSON.parse(file(o, 'plan.json')).batchProfiles.extraction.model).toBe(v);
      expect(tableCells(file(o, 'docs/runbooks/batch-failure.md'))).toContain(v);
    },
  },
  {
    name: 'batch profile description',
    set: (p, v) => void (p.batchProfiles[0]!.description = v),
    readBack: (o, v) => expect(JSON.parse(file(o, 'plan.json')).batchProfiles.extraction.description).toBe(v),
  },
  {
    name: 'batch metadata key and value',
    set: (p, v) => void (p.batchProfiles[0]!.metadata = { [v]: v }),
    readBack: (o, v) => expect(JSON.parse(file(o, 'plan.json')).batchProfiles.extraction.metadata).toEqual({ [v]: v }),
  },
  {
    name: 'redaction rule replacement',
    set: (p, v) => void (p.batchProfiles[0]!.redaction.rules![0]!.replacement = v),
    readBack: (o, v) => expect(JSON.parse(file(o, 'plan.json')).batchProfiles.extraction.redaction.rules[0].replacement).toBe(v),
  },
  {
    name: 'redaction rule pattern',
    set: (p, v) => void (p.batchProfiles[0]!.redaction.rules![0]!.pattern = v),
    readBack: (o, v) => {
      expect(JSON.parse(file(o, 'plan.json')).batchProfiles.extraction.redaction.rules[0].pattern).toBe(v);
      expect(() => new RegExp(v, 'g')).not.toThrow();
    },
  },
  {
    name: 'SLO target description',
    set: (p, v) => void (p.slos!.targets![0]!.description = v),
    readBack: (o, v) => {
      const rules = yamlOf(o, RULES_PATH).toJS() as { groups: { rules: { alert?: string; annotations?: { description: string } }[] }[] };
      const alert = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === 'SwitchyardSloErrorRate')!;
      // no template action but Switchyard's own: the escape and label references
      expect(alert.annotations!.description.replace(/\{\{ (?:"\{\{"|\$labels\.[A-Za-z_][A-Za-z0-9_]*) \}\}/g, '')).not.toContain('{{');
      // what Prometheus prints when the alert fires (promtool confirms the expansion in the promtool test below)
      expect(expandGoTemplate(alert.annotations!.description, {}).startsWith(v === '' ? 'Error rate' : `${v} `)).toBe(true);
    },
  },
  {
    name: 'alert description',
    set: (p, v) => void (p.slos!.alerts![0]!.description = v),
    readBack: (o, v) => expect(JSON.parse(file(o, 'plan.json')).slos.alerts['errors-high'].description).toBe(v),
  },
];

describe('a random string in any free-text or id field is rejected, or read back unchanged by the real parsers', () => {
  it.each(FIELDS.map((f) => [f.name, f] as const))('%s', (_name, field) => {
    fc.assert(
      fc.property(hostile, (v) => {
        const input = basePolicy();
        field.set(input, v);
        const o = output(input);
        if (o === undefined) return;
        checkStructure(o);
        field.readBack(o, v);
      }),
      { numRuns: 150 },
    );
    // The property is not vacuous: plain strings get through.
    const plain = basePolicy();
    field.set(plain, 'plain-value-1');
    expect(output(plain), 'a plain value is accepted').toBeDefined();
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
        'a redaction pattern that does not compile',
        (p) => void (p.batchProfiles[0]!.redaction.rules![0]!.pattern = '(unclosed'),
        'batchProfiles[0].redaction.rules[0].pattern',
      ],
    ];
    for (const [name, edit, path] of refused) {
      const p = basePolicy();
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

interface TestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: { exp_annotations: { description: string } }[] }[] }[];
}

describe('the read back by PostgreSQL (PGlite) and promtool', () => {
  let db: PGlite;
  let dir: string;
  beforeAll(async () => {
    db = new PGlite();
    await db.waitReady;
    dir = mkdtempSync(join(tmpdir(), 'switchyard-promtool-'));
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a deployment model comes back from the SQL view as it was written, and the file creates every view', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (v) => {
        const input = basePolicy();
        input.deployments[0]!.model = v;
        const o = output(input);
        if (o === undefined) return;
        // the whole file runs (one transaction), and the model reads back through the view
        await db.exec(file(o, 'sql/routing_analytics.sql'));
        const rows = await db.query<{ model: string }>(`SELECT model FROM switchyard.plan_deployments WHERE deployment = 'openai-gpt-4o'`);
        expect(rows.rows).toEqual([{ model: v }]);
        const views = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_views WHERE schemaname = 'switchyard'`);
        expect(views.rows[0]!.n).toBe(16);
      }),
      { numRuns: 40 },
    );
  });

  it('an SLO description full of Go template syntax is printed as written when the alert fires (promtool test rules)', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 4, maxLength: 4 }), (descriptions) => {
        const input = basePolicy();
        input.slos!.targets = descriptions.map((description, i) => ({
          id: `t${i}`,
          metric: 'error_rate' as const,
          description,
          objective: [{ op: '<=' as const, value: 0.01 }],
        }));
        const o = output(input);
        if (o === undefined) return;
        writeFileSync(join(dir, 'routing.rules.yml'), file(o, RULES_PATH));
        writeFileSync(join(dir, 'routing.rules.test.yml'), file(o, RULES_TEST_PATH));
        const check = promtool(['check', 'rules', join(dir, 'routing.rules.yml')]);
        expect(check.code, check.output).toBe(0);
        // the test file expects each description expanded by expandGoTemplate: promtool compares it with Go's own expansion
        const test = promtool(['test', 'rules', join(dir, 'routing.rules.test.yml')]);
        expect(test.code, test.output).toBe(0);
        // and that expansion starts with each description, as written in the policy
        const expected = (parseDocument(file(o, RULES_TEST_PATH)).toJS() as TestFile).tests
          .flatMap((t) => t.alert_rule_test ?? [])
          .flatMap((a) => (a.exp_alerts ?? []).map((e) => [a.alertname, e.exp_annotations.description] as const));
        descriptions.forEach((d, i) => {
          const fired = expected.filter(([name]) => name === `SwitchyardSloT${i}`).map(([, text]) => text);
          expect(fired.length).toBeGreaterThan(0);
          for (const text of fired) expect(text.startsWith(d === '' ? 'Error rate' : `${d} `)).toBe(true);
        });
      }),
      { numRuns: 15 },
    );
  });
});
