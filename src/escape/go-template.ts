/**
 * Prometheus alert annotations are Go templates, expanded when the alert
 * fires: a `{{` in text copied from a policy would run as template code at
 * alert time. Policy text is written with every `{{` as the action
 * `{{ "{{" }}`, which prints the two braces; the only actions left are the
 * ones Switchyard writes (`{{ $labels.name }}`).
 */

/** Policy text as a Go template that prints exactly that text. */
export const goTemplateText = (s: string): string => s.replace(/\{\{/g, '{{ "{{" }}');

/**
 * Expands the templates Switchyard writes, as Prometheus would: label
 * references (`<no value>` for a missing label) and the `{{ "{{" }}` escape.
 * Used to predict the annotation promtool must see.
 */
export function expandGoTemplate(text: string, labels: Record<string, string>): string {
  return text.replace(/\{\{ (?:\$labels\.([A-Za-z_][A-Za-z0-9_]*)|"\{\{") \}\}/g, (_, k: string | undefined) =>
    k === undefined ? '{{' : (labels[k] ?? '<no value>'),
  );
}
