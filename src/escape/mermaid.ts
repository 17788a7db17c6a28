/**
 * Text inside a quoted Mermaid string (a pie label, a title, an axis label)
 * in a pull-request comment: no quotes, no line breaks, no `%%` comment
 * markers, so a name cannot end the string or the chart.
 */
export function mermaidText(s: string): string {
  return (
    s
      .replace(/[\u0000-\u001f\u007f"]/g, ' ')
      .replace(/%%/g, '% %')
      .replace(/\s+/g, ' ')
      .trim() || '-'
  );
}
