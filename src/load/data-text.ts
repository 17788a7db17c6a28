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

/** Alias expansions a YAML document may make: a real policy makes a handful, an "alias bomb" billions. */
const MAX_ALIAS_COUNT = 1000;

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
      // V8 names the position only for some errors; the YAML parser (JSON is YAML) finds it for the rest.
      const at = /at position (\d+)/.exec(message)?.[1];
      const offset = at !== undefined ? Number(at) : (parseDocument(text).errors[0]?.pos[0] ?? 0);
      // V8 quotes the text around the error; it may be a pasted secret, so only the kind of error is kept.
      const text0 = message.replace(/ in JSON at position \d+.*$/, '').replace(/, .*is not valid JSON$/s, '');
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
  let value: unknown = jsonValue;
  if (kind === 'yaml') {
    try {
      value = document().toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // the yaml library stops a "billion laughs" document instead of expanding it
      if (!/alias/i.test((err as Error).message)) throw err;
      return {
        diagnostics: [
          diagnostic('error', 'yaml-alias-limit', `The document expands its aliases more than ${MAX_ALIAS_COUNT} times; write the values out.`, '', {
            source: { file: shown, line: 1, column: 1 },
          }),
        ],
      };
    }
  }
  return { value, locate };
}
