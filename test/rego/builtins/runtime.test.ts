import { expect, it } from 'vitest';
import { BUILTINS } from '../../../src/rego/builtins/index.ts';
import { ObjectValue } from '../../../src/rego/value.ts';

it('opa.runtime answers an empty object: an embedded evaluator has no OPA runtime configuration', () => {
  const v = BUILTINS.get('opa.runtime')!.call([], { print: () => {} });
  expect(v).toBeInstanceOf(ObjectValue);
  expect((v as ObjectValue).size).toBe(0);
});
