/**
 * The imported policy as a policies/ folder in the layout `switchyard init`
 * writes (index.ts composing providers.ts, routing.ts and gpu-pools.ts),
 * using the define* helpers, with the draft's comments beside the values
 * they explain and, on top of each file, what the inputs said that the
 * policy does not.
 */
import type { Path } from '../diagnostics/path.ts';
import { CircuitBreaker } from '../model/circuit-breaker.ts';
import { Deployment } from '../model/deployment.ts';
import { GpuPool, PoolModel } from '../model/gpu-pool.ts';
import { ModelGroup } from '../model/model-group.ts';
import { Provider } from '../model/provider.ts';
import type { PolicyDraft, PolicyFile } from './draft.ts';
import { commentLine, commentsFrom, tsString, tsValue } from './ts-literal.ts';

export interface PolicyFileText {
  path: PolicyFile;
  content: string;
}

function notes(draft: PolicyDraft, file: PolicyFile): string[] {
  const lines = draft.fileNotes.get(file) ?? [];
  if (lines.length === 0) return [];
  return ['/*', ' * Not imported: no equivalent in a Switchyard policy. Kept from the input, for review:', ' */', ...lines.map(commentLine), ''];
}

function exportConst(draft: PolicyDraft, name: string, helper: string, value: unknown, path: Path): string {
  const comments = commentsFrom(draft.comments);
  const head = `export const ${name} = ${helper}(`;
  const above = (comments(path) ?? []).map((c) => `${commentLine(c)}\n`).join('');
  return `${above}${head}${tsValue(value, path, comments, 0, head.length, ');')});\n`;
}

/** Properties in the order the schema declares them, as a person writing the policy would (id first). */
function inSchemaOrder<T extends object>(value: T, keys: readonly string[]): T {
  const rank = (k: string) => (keys.includes(k) ? keys.indexOf(k) : keys.length);
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => rank(a) - rank(b))) as T;
}
const PROVIDER_KEYS = Object.keys(Provider.innerType().shape);
const DEPLOYMENT_KEYS = Object.keys(Deployment.shape);
const GROUP_KEYS = Object.keys(ModelGroup.shape);
const POOL_KEYS = Object.keys(GpuPool.shape);
const POOL_MODEL_KEYS = Object.keys(PoolModel.shape);
const BREAKER_KEYS = Object.keys(CircuitBreaker.shape);

export function renderPolicy(draft: PolicyDraft, source: string): PolicyFileText[] {
  const d = draft.policy;
  const p = {
    ...d,
    providers: d.providers.map((x) => inSchemaOrder(x, PROVIDER_KEYS)),
    deployments: d.deployments.map((x) => inSchemaOrder(x, DEPLOYMENT_KEYS)),
    modelGroups: d.modelGroups.map((x) => inSchemaOrder(x, GROUP_KEYS)),
    ...(d.circuitBreaker ? { circuitBreaker: inSchemaOrder(d.circuitBreaker, BREAKER_KEYS) } : {}),
    gpuPools: d.gpuPools.map((x) => inSchemaOrder({ ...x, models: x.models.map((m) => inSchemaOrder(m, POOL_MODEL_KEYS)) }, POOL_KEYS)),
  };
  const banner = `// Imported by \`switchyard import litellm\` from ${source}. Review the comments, then run \`switchyard validate\`.\n`;
  const files: PolicyFileText[] = [];

  const routingNames = ['deployments', 'modelGroups', ...(p.circuitBreaker ? ['circuitBreaker'] : []), ...(p.routerState ? ['routerState'] : [])];
  const helpers = [
    'defineDeployments',
    'defineModelGroups',
    ...(p.circuitBreaker ? ['defineCircuitBreaker'] : []),
    ...(p.routerState ? ['defineRouterState'] : []),
  ];
  const hasPools = p.gpuPools.length > 0;

  const index = [
    banner,
    `import { definePolicy } from 'switchyard';`,
    ...(hasPools ? [`import { gpuPools } from './gpu-pools.ts';`] : []),
    `import { providers } from './providers.ts';`,
    `import { ${[...routingNames].sort().join(', ')} } from './routing.ts';`,
    '',
    ...notes(draft, 'index.ts'),
    'export default definePolicy({',
    `  name: ${tsString(p.name)},`,
    ...(p.description !== undefined ? [`  description: ${tsString(p.description)},`] : []),
    '  providers,',
    ...routingNames.map((n) => `  ${n},`),
    ...(hasPools ? ['  gpuPools,'] : []),
    ...(p.targets
      ? [
          ...(draft.comments.get('targets') ?? []).map((c) => `  ${commentLine(c)}`),
          `  targets: ${tsValue(p.targets, ['targets'], commentsFrom(draft.comments), 2, 11, ',')},`,
        ]
      : []),
    '});',
    '',
  ];
  files.push({ path: 'index.ts', content: index.join('\n') });

  files.push({
    path: 'providers.ts',
    content: [
      banner,
      `import { defineProviders } from 'switchyard';`,
      '',
      ...notes(draft, 'providers.ts'),
      exportConst(draft, 'providers', 'defineProviders', p.providers, ['providers']),
    ].join('\n'),
  });

  const routing = [banner, `import { ${[...helpers].sort().join(', ')} } from 'switchyard';`, '', ...notes(draft, 'routing.ts')];
  routing.push(exportConst(draft, 'deployments', 'defineDeployments', p.deployments, ['deployments']));
  routing.push(exportConst(draft, 'modelGroups', 'defineModelGroups', p.modelGroups, ['modelGroups']));
  if (p.circuitBreaker) routing.push(exportConst(draft, 'circuitBreaker', 'defineCircuitBreaker', p.circuitBreaker, ['circuitBreaker']));
  if (p.routerState) routing.push(exportConst(draft, 'routerState', 'defineRouterState', p.routerState, ['routerState']));
  files.push({ path: 'routing.ts', content: routing.join('\n') });

  if (hasPools)
    files.push({
      path: 'gpu-pools.ts',
      content: [
        banner,
        `import { defineGpuPools } from 'switchyard';`,
        '',
        ...notes(draft, 'gpu-pools.ts'),
        exportConst(draft, 'gpuPools', 'defineGpuPools', p.gpuPools, ['gpuPools']),
      ].join('\n'),
    });
  return files;
}
