/**
 * Comments in generated YAML. A comment line ends at the first line break,
 * so text with a newline (or any other line terminator YAML knows) would
 * leave the comment and become a key of the document. Every line of a
 * comment block is written on its own, whatever breaks the text holds.
 */

/** Anything a YAML (1.1 or 1.2) reader takes for the end of a line. */
const LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029]/;

/** The lines as `# line` comment lines (`#` alone for an empty line), each break in them starting a new comment line. */
export function yamlCommentLines(lines: readonly string[]): string {
  return lines
    .flatMap((l) => l.split(LINE_BREAK))
    .map((l) => (l === '' ? '#' : `# ${l}`))
    .join('\n');
}

/** The lines as the `yaml` library's commentBefore text (it adds the `#`): one comment line per line break. */
export function yamlCommentText(lines: readonly string[]): string {
  return lines
    .flatMap((l) => l.split(LINE_BREAK))
    .map((l) => (l === '' ? '' : ` ${l}`))
    .join('\n');
}
