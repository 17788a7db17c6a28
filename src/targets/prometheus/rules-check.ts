/**
 * What `promtool check rules` would refuse in a generated rules file, checked
 * in-process for machines without promtool: the YAML shape of rule groups,
 * names of records, alerts and labels, durations, the lexical structure of
 * every PromQL expression (string literals and their Go escapes, balanced
 * brackets, range and subquery durations) and the Go template actions of
 * labels and annotations (only those Switchyard writes). It does not parse
 * PromQL's grammar: promtool, when it is on PATH, does that as well.
 */
import { parseDocument } from 'yaml';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Prometheus's model.ParseDuration: units from largest to smallest, each at most once. */
const PROM_DURATION = /^(?:[0-9]+y)?(?:[0-9]+w)?(?:[0-9]+d)?(?:[0-9]+h)?(?:[0-9]+m)?(?:[0-9]+s)?(?:[0-9]+ms)?$/;
/** The template actions the emitters write: a label reference and the escaped `{{`. */
const KNOWN_ACTIONS = /\{\{ (?:\$labels\.[A-Za-z_][A-Za-z0-9_]*|"\{\{") \}\}/g;

const isDuration = (s: string) => s !== '' && PROM_DURATION.test(s);

/** Problems of a rules file, each one line naming the group and rule; empty when promtool would load it. */
export function rulesFileProblems(text: string): string[] {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`);
  const root = doc.toJS() as unknown;
  if (!isRecord(root) || !Array.isArray(root.groups)) return ['the file has no `groups` list'];
  const problems: string[] = [];
  const groupNames = new Set<string>();
  for (const [gi, group] of root.groups.entries()) {
    if (!isRecord(group) || typeof group.name !== 'string' || group.name === '') {
      problems.push(`groups[${gi}] has no name`);
      continue;
    }
    if (groupNames.has(group.name)) problems.push(`group ${group.name} is defined twice`);
    groupNames.add(group.name);
    if (group.interval !== undefined && !isDuration(String(group.interval))) problems.push(`group ${group.name}: interval is not a duration`);
    if (!Array.isArray(group.rules)) {
      problems.push(`group ${group.name} has no rules list`);
      continue;
    }
    for (const [ri, rule] of group.rules.entries()) problems.push(...ruleProblems(rule).map((p) => `group ${group.name}, rule ${ri + 1}: ${p}`));
  }
  return problems;
}

function ruleProblems(rule: unknown): string[] {
  if (!isRecord(rule)) return ['not a mapping'];
  const out: string[] = [];
  const { alert, record, expr } = rule;
  if ((alert === undefined) === (record === undefined)) out.push('needs exactly one of `alert` and `record`');
  if (record !== undefined && !(typeof record === 'string' && METRIC_NAME.test(record))) out.push(`record name ${JSON.stringify(record)} is not a metric name`);
  if (alert !== undefined && !(typeof alert === 'string' && alert !== '')) out.push('alert name is empty');
  if (record !== undefined && (rule.for !== undefined || rule.annotations !== undefined)) out.push('a recording rule takes no `for` or annotations');
  for (const key of ['for', 'keep_firing_for'] as const)
    if (rule[key] !== undefined && !isDuration(String(rule[key]))) out.push(`\`${key}\` ${JSON.stringify(rule[key])} is not a Prometheus duration`);
  if (typeof expr !== 'string' || expr.trim() === '') out.push('`expr` is empty');
  else out.push(...promqlProblems(expr));
  for (const key of ['labels', 'annotations'] as const) {
    const map = rule[key];
    if (map === undefined) continue;
    if (!isRecord(map)) {
      out.push(`\`${key}\` is not a mapping`);
      continue;
    }
    for (const [name, value] of Object.entries(map)) {
      if (!LABEL_NAME.test(name)) out.push(`${key} name ${JSON.stringify(name)} is not a label name`);
      if (typeof value !== 'string') out.push(`${key}.${name} is not a string`);
      else out.push(...templateProblems(value).map((p) => `${key}.${name}: ${p}`));
    }
  }
  return out;
}

/** Go template actions other than the ones Switchyard writes: an action a policy string planted would run at alert time. */
export function templateProblems(text: string): string[] {
  const rest = text.replace(KNOWN_ACTIONS, '');
  const at = rest.indexOf('{{');
  // a lone `}}` is literal text to Go's template parser; only `{{` starts an action
  return at === -1 ? [] : [`template action ${JSON.stringify(rest.slice(at, at + 40))} is not one Switchyard writes`];
}

const GO_ESCAPE = /^\\(?:[abfnrtv\\'"]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})/;
const CLOSER: Record<string, string> = { '(': ')', '{': '}', '[': ']' };

/** Lexical problems of a PromQL expression: unterminated or badly escaped strings, unbalanced brackets, bad durations. */
export function promqlProblems(expr: string): string[] {
  const stack: { open: string; at: number }[] = [];
  for (let i = 0; i < expr.length; ) {
    const c = expr[i]!;
    if (c === '#') {
      const nl = expr.indexOf('\n', i);
      i = nl === -1 ? expr.length : nl + 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      for (; j < expr.length && expr[j] !== c; j++) {
        if (expr[j] === '\n') return [`a string literal at offset ${i} runs past the end of its line`];
        if (expr[j] === '\\') {
          const m = GO_ESCAPE.exec(expr.slice(j));
          if (!m) return [`a string literal at offset ${i} has an unknown escape ${JSON.stringify(expr.slice(j, j + 2))}`];
          j += m[0].length - 1;
        }
      }
      if (j >= expr.length) return [`a string literal at offset ${i} is not terminated`];
      i = j + 1;
    } else if (c === '`') {
      const j = expr.indexOf('`', i + 1);
      if (j === -1) return [`a raw string at offset ${i} is not terminated`];
      i = j + 1;
    } else if (c in CLOSER) {
      if (c === '[') {
        const j = expr.indexOf(']', i);
        const inner = j === -1 ? '' : expr.slice(i + 1, j);
        const parts = inner.split(':');
        if (j === -1 || parts.length > 2 || !isDuration(parts[0]!.trim()) || (parts.length === 2 && parts[1]!.trim() !== '' && !isDuration(parts[1]!.trim())))
          return [`the range at offset ${i} is not [duration] or [duration:step]`];
        i = j + 1;
        continue;
      }
      stack.push({ open: c, at: i });
      i++;
    } else if (c === ')' || c === '}' || c === ']') {
      const top = stack.pop();
      if (!top || CLOSER[top.open] !== c) return [`${JSON.stringify(c)} at offset ${i} closes nothing`];
      i++;
    } else i++;
  }
  return stack.length ? [`${JSON.stringify(stack.at(-1)!.open)} at offset ${stack.at(-1)!.at} is never closed`] : [];
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
