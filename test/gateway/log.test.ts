import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/gateway/log.ts';

describe('the gateway log', () => {
  it('scrubs the secrets it was made with and those learned later (a reloaded plan), in plain and JSON-escaped form', () => {
    const lines: string[] = [];
    const log = createLogger((s) => lines.push(s), ['sk-start-1234']);
    log({ msg: 'a', error: 'key sk-start-1234 refused; key sk-later-"5678 too' });
    log.addSecrets(['sk-later-"5678']);
    log({ msg: 'b', error: 'key sk-start-1234 refused; key sk-later-"5678 too' });
    expect(JSON.parse(lines[0]!).error).toBe('key [redacted] refused; key sk-later-"5678 too');
    expect(JSON.parse(lines[1]!).error).toBe('key [redacted] refused; key [redacted] too');
  });
});
