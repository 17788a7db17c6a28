/** Numbers as every report prints them (terminal and markdown): money, counts, percentages. */

export const usd = (n: number): string => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export const num = (n: number | null): string => (n === null ? 'none' : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));

export const pct = (n: number): string => `${Number(n.toFixed(1))}%`;
