export * from './diagnostic.ts';
export * from './path.ts';
export * from './render.ts';
