import { z } from 'zod';
import { OPENAI_COMPATIBLE_SERVICE_NAMES, OPENAI_COMPATIBLE_SERVICES, PROVIDER_KINDS } from './closed-sets.ts';
import { ENV_REF_PATTERN, Id, NO_CONTROL_CHARACTERS, NO_CONTROL_MESSAGE, SecretRef, Text } from './common.ts';

export const ProviderKind = z.enum(PROVIDER_KINDS);
export type ProviderKind = z.infer<typeof ProviderKind>;

export const OpenAiCompatibleService = z.enum(OPENAI_COMPATIBLE_SERVICE_NAMES);

/** True for `env:NAME` values of apiBase and apiVersion. */
export const isEnvRef = (v: string): boolean => ENV_REF_PATTERN.test(v);

/**
 * A base URL written in the policy (http or https: `env:X` and `vault:...`
 * would parse as URLs with their own schemes), or `env:NAME`. One pattern
 * rather than a union, so YAML policies get the same message from the JSON
 * Schema as TS policies get from zod.
 */
const BaseUrl = z
  .string()
  .max(2048)
  .regex(NO_CONTROL_CHARACTERS, NO_CONTROL_MESSAGE)
  .regex(/^(https?:\/\/\S+|env:[A-Za-z_][A-Za-z0-9_]*)$/, 'must be an http:// or https:// URL, or env:NAME')
  // Only what passed the pattern is parsed, so one mistake gets one message.
  .refine((v) => !/^https?:\/\//.test(v) || URL.canParse(v), 'the base URL does not parse as a URL');

const ApiVersion = z
  .string()
  .regex(/^(\d{4}-\d{2}-\d{2}(-preview)?|env:[A-Za-z_][A-Za-z0-9_]*)$/, 'must look like 2024-10-21 or 2024-10-01-preview, or be env:NAME');

/** Header names a policy may add: HTTP tokens, and never one that carries a credential (that is `apiKey`). */
const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'api-key', 'x-api-key', 'cookie', 'set-cookie']);
/** Headers the gateway sets itself, per request. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'transfer-encoding', 'connection']);

/**
 * How an OpenAI-compatible server differs from OpenAI. Each setting is what
 * the gateway does to a request before sending it there, and what the
 * LiteLLM config tells LiteLLM to do.
 */
export const OpenAiCompat = z
  .object({
    /** The server accepts `stream_options` (usage at the end of streams); false: never sent, usage is counted from the stream. */
    streamOptions: z.boolean().default(true),
    /** The server accepts `n` (several choices); false: `n` is dropped when 1 and a request for more is refused. */
    n: z.boolean().default(true),
    /** Headers added to every call (OpenRouter's HTTP-Referer and X-Title, for example); not for credentials. */
    headers: z
      .record(
        z.string().regex(HEADER_NAME, 'must be an HTTP header name: letters, digits and "-" (max 64 chars)'),
        z
          .string()
          .max(256)
          .regex(/^[\x20-\x7e]*$/, 'must be printable ASCII on one line'),
      )
      .default({})
      .superRefine((h, ctx) => {
        for (const name of Object.keys(h)) {
          const lower = name.toLowerCase();
          if (CREDENTIAL_HEADERS.has(lower))
            ctx.addIssue({ code: 'custom', path: [name], message: `${name} carries a credential: give the provider an apiKey secret reference instead` });
          else if (RESERVED_HEADERS.has(lower)) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is set by the gateway itself` });
        }
      }),
    /**
     * Path between the base URL and `/chat/completions` on the gateway's side;
     * defaults to the service's (`/v1` for Ollama, whose base URL is its root).
     */
    pathPrefix: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or start with "/": path segments of letters, digits, ".", "_", "~" or "-"')
      .max(128)
      .refine((p) => !p.split('/').some((seg) => seg === '.' || seg === '..'), 'must not contain . or .. segments')
      .optional(),
  })
  .strict();
export type OpenAiCompat = z.infer<typeof OpenAiCompat>;

/** Names of LiteLLM parameters: snake_case, as LiteLLM's litellm_params spell them. */
export const LITELLM_PARAM = /^[a-z][a-z0-9_]{0,63}$/;
/** litellm_params Switchyard writes itself from the deployment, provider and group. */
export const EMITTED_PARAMS: ReadonlySet<string> = new Set([
  'model',
  'api_key',
  'api_base',
  'api_version',
  'rpm',
  'tpm',
  'order',
  'weight',
  'timeout',
  'stream_timeout',
  'num_retries',
  'input_cost_per_token',
  'output_cost_per_token',
]);
/** A parameter whose name says it holds a credential belongs in `secrets`. */
export const CREDENTIAL_PARAM = /(key|secret|token|password|credential)/;

/**
 * What a `passthrough` provider hands LiteLLM: the LiteLLM provider name
 * (`model` becomes `<provider>/<deployment model>`), plain parameters
 * (region, project) and credentials as secret references, each written into
 * every deployment's litellm_params.
 */
export const LitellmPassthrough = z
  .object({
    /** LiteLLM's provider name, e.g. bedrock, vertex_ai, gemini. */
    provider: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be a LiteLLM provider name such as bedrock, vertex_ai or gemini'),
    /** e.g. `{ aws_region_name: 'eu-west-1' }` or `{ vertex_project: 'p', vertex_location: 'us-central1' }`. */
    params: z
      .record(
        z.string().regex(LITELLM_PARAM, 'must be a LiteLLM parameter name (snake_case)'),
        z.union([
          // one line in LiteLLM's YAML: PyYAML (YAML 1.1) also breaks lines at NEL and U+2028, which Text refuses
          Text(1024),
          z.number().finite(),
          z.boolean(),
        ]),
      )
      .default({})
      .superRefine((params, ctx) => {
        for (const name of Object.keys(params)) {
          if (EMITTED_PARAMS.has(name))
            ctx.addIssue({ code: 'custom', path: [name], message: `${name} is written by Switchyard from the provider and deployment; set it there` });
          else if (CREDENTIAL_PARAM.test(name))
            ctx.addIssue({ code: 'custom', path: [name], message: `${name} looks like a credential: put it under secrets as env:NAME or vault:path#field` });
          // LiteLLM resolves os.environ/NAME in any value: a reference belongs under secrets, where it is checked.
          else if (typeof params[name] === 'string' && /^os\.environ\//.test(params[name]))
            ctx.addIssue({ code: 'custom', path: [name], message: `${name} is a LiteLLM environment reference: put it under secrets as env:NAME` });
        }
      }),
    /** e.g. `{ aws_secret_access_key: 'env:AWS_SECRET_ACCESS_KEY', vertex_credentials: 'vault:secret/gcp#key' }`. */
    secrets: z
      .record(z.string().regex(LITELLM_PARAM, 'must be a LiteLLM parameter name (snake_case)'), SecretRef)
      .default({})
      .superRefine((secrets, ctx) => {
        for (const name of Object.keys(secrets))
          if (EMITTED_PARAMS.has(name))
            ctx.addIssue({ code: 'custom', path: [name], message: `${name} is written by Switchyard from the provider and deployment; set it there` });
      }),
  })
  .strict();
export type LitellmPassthrough = z.infer<typeof LitellmPassthrough>;

/** An upstream API account: where requests go and which credential they carry. */
export const Provider = z
  .object({
    id: Id,
    kind: ProviderKind,
    /**
     * Base URL of the API, or `env:NAME` to read it where the proxy or gateway
     * runs; required for azure_openai and vllm (and openai_compatible services
     * without a public endpoint), defaulted by the client otherwise.
     */
    apiBase: BaseUrl.optional(),
    /** Azure OpenAI API version, e.g. 2024-10-21, or `env:NAME`. */
    apiVersion: ApiVersion.optional(),
    region: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be letters, digits, ".", "_" or "-" (max 63 chars)')
      .optional(),
    /** Credential as a secret reference; local servers (vLLM, Ollama...) may run without one. */
    apiKey: SecretRef.optional(),
    /** For openai_compatible: which service it is (decides LiteLLM's provider prefix and the default base URL). */
    service: OpenAiCompatibleService.optional(),
    /** For openai_compatible: how the server differs from OpenAI. */
    compat: OpenAiCompat.optional(),
    /** For passthrough: what LiteLLM needs to reach the provider. */
    litellm: LitellmPassthrough.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (p.kind === 'azure_openai' && !p.apiVersion) issue('apiVersion', 'azure_openai providers need an apiVersion');
    if ((p.kind === 'azure_openai' || p.kind === 'vllm') && !p.apiBase) issue('apiBase', `${p.kind} providers need an apiBase`);
    const keyless = p.kind === 'vllm' || p.kind === 'openai_compatible' || p.kind === 'passthrough';
    if (!keyless && !p.apiKey) issue('apiKey', `${p.kind} providers need an apiKey secret reference`);
    if (p.kind === 'openai_compatible') {
      if (!p.service) issue('service', `openai_compatible providers need a service (${OPENAI_COMPATIBLE_SERVICE_NAMES.join(', ')})`);
      else if (!p.apiBase && OPENAI_COMPATIBLE_SERVICES[p.service].defaultBase === null)
        issue('apiBase', `${p.service} has no public endpoint: give the server's apiBase (a URL or env:NAME)`);
    } else {
      if (p.service) issue('service', 'only openai_compatible providers take a service');
      if (p.compat) issue('compat', 'only openai_compatible providers take compat settings');
    }
    if (p.kind === 'passthrough' && !p.litellm) issue('litellm', 'passthrough providers need litellm: { provider, params, secrets }');
    if (p.kind !== 'passthrough' && p.litellm) issue('litellm', 'only passthrough providers take litellm settings');
  });
export type Provider = z.infer<typeof Provider>;
export type ProviderInput = z.input<typeof Provider>;
