/** Public API for policy authors: the policy language and its define* helpers. */
export * from './model/index.ts';
