import { expect, it } from 'vitest';
import { BUILTINS } from '../../../src/rego/builtins/index.ts';
import { builtinContext } from '../../../src/rego/builtins/types.ts';
import { ObjectValue } from '../../../src/rego/value.ts';

it('opa.runtime answers an empty object: an embedded evaluator has no OPA runtime configuration', () => {
  const v = BUILTINS.get('opa.runtime')!.call([], builtinContext());
  expect(v).toBeInstanceOf(ObjectValue);
  expect((v as ObjectValue).size).toBe(0);
});
