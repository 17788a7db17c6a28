/**
 * The gateway's log: one JSON object per line on stderr, for events
 * (start, shutdown, breaker transitions, state store degraded / recovered),
 * not per request. Every line passes through a scrubber that replaces any
 * known secret value, so a secret can reach no log line even through an
 * error message from a library.
 */
export type LogLine = Record<string, unknown> & { msg: string };
export type Logger = (line: LogLine) => void;

/** A logger that also learns secret values after it was made (a reloaded plan's keys). */
export type ScrubbingLogger = Logger & { addSecrets(secrets: readonly string[]): void };

export function createLogger(write: (s: string) => void, secrets: readonly string[] = []): ScrubbingLogger {
  let values: string[] = [];
  const addSecrets = (more: readonly string[]) => {
    // Longest first, so a key containing another is replaced whole.
    values = [...new Set([...values, ...more])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  };
  addSecrets(secrets);
  const log = (line: LogLine) => {
    let text = JSON.stringify({ time: new Date().toISOString(), ...line });
    for (const v of values) if (text.includes(v)) text = text.split(v).join('[redacted]');
    // JSON escaping can hide a value (quotes, backslashes): check the escaped form too.
    for (const v of values) {
      const escaped = JSON.stringify(v).slice(1, -1);
      if (escaped !== v && text.includes(escaped)) text = text.split(escaped).join('[redacted]');
    }
    write(`${text}\n`);
  };
  return Object.assign(log, { addSecrets });
}
