/**
 * The one set of renderers for Diagnostics: a terminal view for people, JSON
 * for machines and GitHub Actions workflow commands for annotations on pull
 * requests. Pure: callers pass in the source text lookup and colour choice.
 */
import { compareDiagnostics, type Diagnostic } from './diagnostic.ts';
import { maskSecrets } from './secret-text.ts';

export type OutputFormat = 'pretty' | 'json' | 'github';

export interface PrettyOptions {
  color: boolean;
  /** Returns a file's text for the code frame, or undefined when it cannot be read. */
  readSource?: (file: string) => string | undefined;
}

const ANSI = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
const paint = (on: boolean, code: number, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

const SEVERITY_COLOR = { error: ANSI.red, warning: ANSI.yellow, info: ANSI.cyan } as const;

function summarize(ds: readonly Diagnostic[]): { errors: number; warnings: number; infos: number } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const d of ds) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}

/** Diagnostics whose source line holds a secret: their code frame shows every value on it masked. */
const SENSITIVE_CODES = new Set(['literal-secret']);
const maskStrings = (line: string) => line.replace(/(['"`])(?:(?!\1)[^\\]|\\.)+\1/g, (m) => `${m[0]}***${m[0]}`);
/** Unquoted YAML values (`apiKey: sk-...`, `{ key: abc }`) after their key. */
const maskPlainValues = (line: string) => line.replace(/(:\s+)(?!\*\*\*)([^\s'"`{}[\],#][^,}\]#]*)/g, '$1***');
/** What a frame may show of a policy line: never a credential, whatever the diagnostic is about. */
const frameLine = (line: string, sensitive: boolean) => (sensitive ? maskPlainValues(maskStrings(line)) : maskSecrets(line));
/**
 * Diagnostics located at a secret in a config that is not ours (an imported
 * LiteLLM YAML, a vLLM command line), where values are often unquoted: the
 * frame keeps the line up to the key and its `:` or `=`, and nothing after.
 */
const VALUE_SENSITIVE_CODES = new Set(['import-literal-secret']);
function maskValue(line: string, column: number): string {
  const from = Math.max(0, column - 1);
  const sep = line.slice(from).search(/[:=]/);
  return sep < 0 ? `${line.slice(0, from)}***` : `${line.slice(0, from + sep + 1)} ***`;
}

function codeFrame(text: string, line: number, column: number, color: boolean, sensitive: boolean, valueSensitive = false): string {
  const lines = text.split('\n');
  const raw = lines[line - 1];
  if (raw === undefined) return '';
  const masked = valueSensitive ? maskValue(raw, column) : frameLine(raw, sensitive);
  // A minified JSON policy is one long line: show a window around the column.
  const WIDTH = 120;
  const start = masked.length > WIDTH ? Math.max(0, Math.min(column - 1 - WIDTH / 2, masked.length - WIDTH)) : 0;
  const src = (start > 0 ? '…' : '') + masked.slice(start, start + WIDTH) + (start + WIDTH < masked.length ? '…' : '');
  column = column - start + (start > 0 ? 1 : 0);
  const gutter = String(line).length;
  const caret = `${' '.repeat(Math.max(0, column - 1))}^`;
  return [
    `${paint(color, ANSI.dim, `${String(line).padStart(gutter)} |`)} ${src.replace(/\t/g, ' ')}`,
    `${paint(color, ANSI.dim, `${' '.repeat(gutter)} |`)} ${paint(color, ANSI.red, caret)}`,
  ].join('\n');
}

export function renderPretty(ds: readonly Diagnostic[], opts: PrettyOptions): string {
  const out: string[] = [];
  // A line that holds a secret is masked in every frame that shows it, not only in the literal-secret one.
  const lineKey = (d: Diagnostic) => (d.source ? `${d.source.file}\0${d.source.line}` : '');
  const sensitiveLines = new Set(ds.filter((d) => SENSITIVE_CODES.has(d.code) && d.source).map(lineKey));
  for (const d of [...ds].sort(compareDiagnostics)) {
    const where = d.source ? `${d.source.file}:${d.source.line}:${d.source.column}` : '<policy>';
    const sev = paint(opts.color, SEVERITY_COLOR[d.severity], d.severity);
    const at = d.path ? ` ${paint(opts.color, ANSI.dim, `(at ${d.path})`)}` : '';
    const level = d.level ? ` [${d.level}]` : '';
    out.push(`${paint(opts.color, ANSI.bold, where)} ${sev}${level} ${d.code}: ${d.message}${at}`);
    const text = d.source && opts.readSource?.(d.source.file);
    if (d.source && text) {
      const frame = codeFrame(text, d.source.line, d.source.column, opts.color, sensitiveLines.has(lineKey(d)), VALUE_SENSITIVE_CODES.has(d.code));
      if (frame) out.push(frame);
    }
    if (d.hint) out.push(`  ${paint(opts.color, ANSI.cyan, 'hint:')} ${d.hint}`);
    if (d.title) out.push(`  ${paint(opts.color, ANSI.cyan, 'rule:')} ${d.title}`);
    if (d.link) out.push(`  ${paint(opts.color, ANSI.cyan, 'see:')} ${d.link}`);
  }
  const s = summarize(ds);
  const parts = [`${s.errors} error${s.errors === 1 ? '' : 's'}`, `${s.warnings} warning${s.warnings === 1 ? '' : 's'}`];
  if (s.infos) parts.push(`${s.infos} info`);
  out.push(parts.join(', '));
  return `${out.join('\n')}\n`;
}

export function renderJson(ds: readonly Diagnostic[], extra: Record<string, unknown> = {}): string {
  const diagnostics = [...ds].sort(compareDiagnostics);
  return `${JSON.stringify({ ok: !diagnostics.some((d) => d.severity === 'error'), ...extra, summary: summarize(ds), diagnostics }, null, 2)}\n`;
}

/** Workflow-command escaping, as GitHub's @actions/core does it. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const GITHUB_COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

export function renderGithub(ds: readonly Diagnostic[]): string {
  return [...ds]
    .sort(compareDiagnostics)
    .map((d) => {
      const props: string[] = [];
      if (d.source) props.push(`file=${escapeProperty(d.source.file)}`, `line=${d.source.line}`, `col=${d.source.column}`);
      props.push(`title=${escapeProperty(d.code)}`);
      const msg = [d.message, d.hint, d.link ? `see ${d.link}` : undefined].filter(Boolean).join('\n');
      const where = d.path ? ` (at ${d.path})` : '';
      return `::${GITHUB_COMMAND[d.severity]} ${props.join(',')}::${escapeData(msg + where)}\n`;
    })
    .join('');
}
