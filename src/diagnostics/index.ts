export * from './diagnostic.ts';
export * from './path.ts';
