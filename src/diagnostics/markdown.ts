/**
 * Escaping for text that reaches a markdown document (pull-request comments)
 * or a Mermaid chart inside one. Every report that writes markdown uses these,
 * so a policy name full of pipes, backticks or quotes cannot change a table,
 * break out of code or end a chart.
 */

/** A table cell: no pipes or line breaks. */
export const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Inline code that survives backticks in the text. */
export const code = (s: string): string => {
  const ticks = '`'.repeat(Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return ticks.length > 1 || s.startsWith(' ') ? `${ticks} ${s} ${ticks}` : `\`${s}\``;
};

/** Text outside code: HTML and markdown punctuation that could change the layout is escaped. */
export const text = (s: string): string => s.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;')).replace(/([\\`*_[\]])/g, '\\$1');

/** Text inside a quoted Mermaid string (a pie label, a title, an axis label): no quotes, no line breaks, no comment markers. */
export function mermaidText(s: string): string {
  return (
    s
      .replace(/[\u0000-\u001f\u007f"]/g, ' ')
      .replace(/%%/g, '% %')
      .replace(/\s+/g, ' ')
      .trim() || '-'
  );
}
