/**
 * One input document of an import (a LiteLLM config, a vLLM launch config):
 * its parsed value, where each of its paths was written, and the
 * Diagnostics found while reading it, each located at its file:line.
 * The YAML parsing and source mapping are the loader's (src/load/data-text.ts),
 * so an import error reads like a YAML policy error.
 */
import { diagnostic, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.ts';
import { formatPath, type Path } from '../diagnostics/path.ts';
import type { Severity } from '../model/closed-sets.ts';
import { parseDataText } from '../load/data-text.ts';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export class Input {
  readonly diagnostics: Diagnostic[] = [];

  /** How a path is named in messages: `model_list[2].litellm_params.rpm`, or `--max-num-seqs` for a vLLM launch config. */
  label: (path: Path) => string = formatPath;

  private constructor(
    readonly file: string,
    readonly value: unknown,
    private readonly locate: (path: Path) => SourceLocation,
    /** The source text (its comments carry what a generated config's header says). */
    readonly text = '',
  ) {}

  /** The document, read as the Python tools that own it read YAML (1.1, PyYAML), or the syntax error (located). */
  static parse(text: string, file: string, kind: 'yaml' | 'json' = 'yaml'): Input | Diagnostic[] {
    const parsed = parseDataText(text, kind, file, '1.1');
    if ('diagnostics' in parsed) return parsed.diagnostics;
    return new Input(file, parsed.value, parsed.locate, text);
  }

  /** A value read from other text (an argument list): `locate` finds its paths, or every path is line 1. */
  static fromValue(value: unknown, file: string, locate?: (path: Path) => SourceLocation): Input {
    return new Input(file, value, locate ?? (() => ({ file, line: 1, column: 1 })));
  }

  at(path: Path): SourceLocation {
    return this.locate(path);
  }

  /** `file:line` of a path, for comments in the generated policy. */
  where(path: Path): string {
    const s = this.at(path);
    return `${s.file}:${s.line}`;
  }

  /** Reports a problem at an input path; the Diagnostic's path is the input's (`model_list[2].litellm_params.api_key`). */
  report(severity: Severity, code: string, path: Path, message: string, hint?: string): void {
    this.diagnostics.push(diagnostic(severity, code, message, this.label(path), { source: this.at(path), ...(hint ? { hint } : {}) }));
  }

  /** The value at a path, or undefined. */
  get(path: Path): unknown {
    let v: unknown = this.value;
    for (const seg of path) {
      if (typeof seg === 'number') v = Array.isArray(v) ? v[seg] : undefined;
      else v = isObj(v) ? v[seg] : undefined;
    }
    return v;
  }
}
