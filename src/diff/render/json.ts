/** `switchyard diff --json`: the DiffReport as it is (see report.ts for the shape). */
import type { DiffReport } from '../report.ts';

export const renderJson = (r: DiffReport): string => `${JSON.stringify(r, null, 2)}\n`;
