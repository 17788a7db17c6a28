/**
 * A YAML or JSON document read for validation: the value, and where any
 * path in it was written (file:line:col), or a syntax error at its place.
 * Shared by YAML/JSON policies and simulation scenario files.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Diagnostic, SourceLocation } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';
import { lineColumnAt } from './import-graph.ts';
import { sentence } from './messages.ts';
import { locateInYaml } from './yaml-source-map.ts';

export type ParsedData = { value: unknown; locate: (path: Path) => SourceLocation } | { diagnostics: Diagnostic[] };

/**
 * `yamlVersion` 1.1 reads a document as PyYAML does (`2024-10-21` a date,
 * `yes` a boolean, `1e5` a string): for configs of Python tools (LiteLLM,
 * vLLM) read back by the importer. Policies are YAML 1.2.
 */
export function parseDataText(text: string, kind: 'yaml' | 'json', shown: string, yamlVersion: '1.1' | '1.2' = '1.2'): ParsedData {
  // A .json file must be JSON (YAML would also accept comments and trailing
  // commas), and JSON.parse is many times faster than building a YAML
  // document, which is only needed to locate a problem.
  let jsonValue: unknown;
  if (kind === 'json') {
    try {
      jsonValue = JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      const offset = Number(/at position (\d+)/.exec(message)?.[1] ?? 0);
      const text0 = message.replace(/ in JSON at position \d+.*$/, '');
      return {
        diagnostics: [diagnostic('error', 'syntax-error', sentence(`Syntax error: ${text0}`), '', { source: { file: shown, ...lineColumnAt(text, offset) } })],
      };
    }
  }

  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument> | undefined;
  const document = () => (doc ??= parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: yamlVersion }));
  if (kind === 'yaml') {
    const syntax = document().errors[0];
    if (syntax) {
      const { line, col } = lineCounter.linePos(syntax.pos[0]);
      return {
        diagnostics: [diagnostic('error', 'syntax-error', sentence(`Syntax error: ${syntax.message}`), '', { source: { file: shown, line, column: col } })],
      };
    }
  }

  const locate = (path: Path) => locateInYaml(document(), lineCounter, path, shown);
  const value: unknown = kind === 'json' ? jsonValue : document().toJS({ maxAliasCount: 1000 });
  return { value, locate };
}
