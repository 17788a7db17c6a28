/**
 * Finds the zod schema that governs a policy path, to list the valid keys of
 * an object ("did you mean …?"). Wrappers (default, optional, effects) are
 * looked through; a discriminated union picks its option from the value.
 */
import { z } from 'zod';
import type { Path } from '../diagnostics/path.ts';

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  for (;;) {
    if (schema instanceof z.ZodDefault) schema = schema._def.innerType;
    else if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) schema = schema.unwrap();
    else if (schema instanceof z.ZodEffects) schema = schema.innerType();
    else return schema;
  }
}

function pickOption(schema: z.ZodTypeAny, value: unknown): z.ZodTypeAny {
  if (!(schema instanceof z.ZodDiscriminatedUnion)) return schema;
  const tag = value && typeof value === 'object' ? (value as Record<string, unknown>)[schema.discriminator] : undefined;
  const option = schema.optionsMap.get(tag as z.Primitive);
  return option ? unwrap(option) : schema;
}

export function schemaAt(root: z.ZodTypeAny, path: Path, value: unknown): z.ZodTypeAny | undefined {
  let schema = pickOption(unwrap(root), value);
  let v = value;
  for (const seg of path) {
    v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
    if (schema instanceof z.ZodArray && typeof seg === 'number') schema = schema.element;
    else if (schema instanceof z.ZodObject && typeof seg === 'string' && seg in schema.shape) schema = schema.shape[seg];
    else if (schema instanceof z.ZodRecord && typeof seg === 'string') schema = schema.valueSchema;
    else return undefined;
    schema = pickOption(unwrap(schema), v);
  }
  return schema;
}

/** The keys an object at `path` accepts (for a union without a valid tag: every option's keys). */
export function keysAt(root: z.ZodTypeAny, path: Path, value: unknown): string[] {
  const schema = schemaAt(root, path, value);
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const keys = new Set<string>();
    for (const option of schema.options as z.ZodTypeAny[]) {
      const o = unwrap(option);
      if (o instanceof z.ZodObject) for (const k of Object.keys(o.shape)) keys.add(k);
    }
    return [...keys];
  }
  return [];
}
