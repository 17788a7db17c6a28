/**
 * What looks like a credential in a piece of text: a password in a URL, a
 * key in a query string, a token with a vendor's prefix, a long random
 * string. The loader reports such a value anywhere in a policy (every field,
 * metadata, unknown keys) as a literal secret; the renderers mask it in any
 * line they print; URL flags are redacted with the same parameter names.
 * Pure and dependency-free, so every layer that prints may use it.
 */

export interface SecretMatch {
  /** What was found, for the message: "a password in a URL". */
  kind: string;
  start: number;
  end: number;
}

/** Query or connection-string parameters whose value is a credential (compared lower-cased, without `-` and `_`). */
const SECRET_PARAMS = new Set([
  'key',
  'apikey',
  'token',
  'accesstoken',
  'authtoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'sig',
  'signature',
  'password',
  'passwd',
  'pwd',
  'secret',
  'clientsecret',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'accountkey',
  'sharedaccesskey',
  'sharedaccesssignature',
  'xamzsignature',
  'xamzsecuritytoken',
  'xamzcredential',
  'code',
]);

export const isSecretParam = (name: string): boolean => SECRET_PARAMS.has(name.toLowerCase().replace(/[-_]/g, ''));

/** Vendors' token formats: the prefix says what it is, the length that it is not a word. */
const PREFIXED: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bsk-ant-[A-Za-z0-9_-]{20,}/g, 'an Anthropic API key'],
  [/\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g, 'an OpenAI-style API key (sk-...)'],
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/g, 'a GitHub token'],
  [/\bgithub_pat_[A-Za-z0-9_]{22,}/g, 'a GitHub token'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/g, 'a GitLab token'],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, 'a Slack token'],
  [/\bAIza[0-9A-Za-z_-]{35}/g, 'a Google API key'],
  [/\bhf_[A-Za-z0-9]{30,}/g, 'a Hugging Face token'],
  [/\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}/g, 'a Stripe key'],
  [/\bnpm_[A-Za-z0-9]{36}\b/g, 'an npm token'],
  [/\bgsk_[A-Za-z0-9]{20,}/g, 'a Groq API key'],
  [/\bpplx-[A-Za-z0-9]{20,}/g, 'a Perplexity API key'],
  [/\br8_[A-Za-z0-9]{20,}/g, 'a Replicate token'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, 'a JSON Web Token'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/g, 'a private key'],
  [/\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*/g, 'a bearer token'],
];

/** `scheme://user:password@` and `scheme://:password@`: the password. */
const URL_PASSWORD = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#@]+)@/g;
/** `?name=value`, `&name=value`, `;Name=value` (connection strings). */
const PARAM = /[?&;]([A-Za-z][A-Za-z0-9_-]*)=([^&#;\s"'`]+)/g;
/** Runs of the base64 alphabet, and of hex digits. */
const BASE64_RUN = /[A-Za-z0-9+/=]{32,}/g;
const HEX_RUN = /(?<![A-Za-z0-9])[0-9a-fA-F]{32,}(?![A-Za-z0-9])/g;

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/**
 * A long run of mixed-case letters and digits with the spread of random
 * bytes (32 random base64 characters carry about 4.5 bits each; names like
 * `Mixtral-8x7B-Instruct` break into short runs at their separators), or a
 * run of 32 or more hex digits (an Azure key), except a git commit (40) or a
 * digest written `sha256:...`.
 */
function highEntropy(text: string, out: SecretMatch[]): void {
  for (const m of text.matchAll(BASE64_RUN)) {
    const run = m[0];
    if (/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run) && entropy(run) >= 4.0)
      out.push({ kind: 'a long random string', start: m.index!, end: m.index! + run.length });
  }
  for (const m of text.matchAll(HEX_RUN)) {
    const run = m[0];
    const digest = /sha(?:1|256|512):$/i.test(text.slice(Math.max(0, m.index! - 7), m.index!));
    if (run.length === 40 || digest || !/[a-f]/i.test(run) || !/[0-9]/.test(run) || entropy(run) < 3) continue;
    out.push({ kind: 'a long random hex string', start: m.index!, end: m.index! + run.length });
  }
}

/** Every span of `text` that looks like a credential, in order; overlapping finds are merged. */
export function findSecrets(text: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  for (const m of text.matchAll(URL_PASSWORD)) {
    const start = m.index! + m[0].length - 1 - m[1]!.length;
    found.push({ kind: 'a password in a URL', start, end: start + m[1]!.length });
  }
  for (const m of text.matchAll(PARAM)) {
    if (!isSecretParam(m[1]!)) continue;
    const start = m.index! + m[0].length - m[2]!.length;
    found.push({ kind: `a credential in the ${m[1]}= parameter`, start, end: start + m[2]!.length });
  }
  for (const [re, kind] of PREFIXED) for (const m of text.matchAll(re)) found.push({ kind, start: m.index!, end: m.index! + m[0].length });
  highEntropy(text, found);
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: SecretMatch[] = [];
  for (const f of found) {
    const last = merged[merged.length - 1];
    if (last && f.start < last.end) last.end = Math.max(last.end, f.end);
    else merged.push({ ...f });
  }
  return merged;
}

/** The first kind of credential in `text`, or undefined. */
export const secretKind = (text: string): string | undefined => findSecrets(text)[0]?.kind;

/** `text` with every credential replaced by `***`. */
export function maskSecrets(text: string): string {
  let out = '';
  let at = 0;
  for (const m of findSecrets(text)) {
    out += `${text.slice(at, m.start)}***`;
    at = m.end;
  }
  return out + text.slice(at);
}

/** Property names whose value is a credential by its name alone (`apiKey`, `client_secret`, `password`, `auth_token`). */
export const SECRET_KEY_NAME = /(?:api[-_]?key|secret|passw(?:or)?d|token|credential|private[-_]?key|access[-_]?key)/i;
