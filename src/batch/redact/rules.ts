/**
 * A profile's own redaction rules as detectors. The compiler has already
 * refused patterns that are invalid, match the empty string or backtrack
 * exponentially (src/plan/checks/regex-safety.ts); a plan.json edited by
 * hand fails its hash check before it gets here. A match is replaced by the
 * rule's replacement text as written.
 */
import type { PlanRedaction } from '../../plan/types.ts';
import { BatchError } from '../errors.ts';
import type { Detector, ScanContext, Span } from './types.ts';

export function ruleDetectors(rules: PlanRedaction['rules']): Detector[] {
  return rules.map((r) => {
    let re: RegExp;
    try {
      re = new RegExp(r.pattern, 'g');
    } catch (e) {
      throw new BatchError(`redaction rule ${JSON.stringify(r.name)}: ${(e as Error).message}`);
    }
    const kind = `rule:${r.name}`;
    return {
      name: kind,
      tag: r.replacement,
      find(s: string, _ctx: ScanContext, out: Span[]): void {
        re.lastIndex = 0;
        for (let m = re.exec(s); m; m = re.exec(s)) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          out.push({ start: m.index, end: m.index + m[0].length, tag: r.replacement, kind, literal: true });
        }
      },
    };
  });
}
