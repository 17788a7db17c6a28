/** The Prometheus text exposition as series -> value, for comparing scrapes. */
export type Scrape = Map<string, number>;

export function parseMetrics(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** How much each series grew between two scrapes (series that did not change are left out). */
export function delta(before: Scrape, after: Scrape): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (Math.abs(d) > 1e-12) out[k] = Number(d.toPrecision(10));
  }
  return out;
}

/** A series name with its labels in the order given: `name{a="x",b="y"}`. */
export const series = (name: string, labels: Record<string, string>): string =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
