import { describe, expect, it } from 'vitest';
import { carryState, LocalState } from '../../src/runtime/state.ts';
import { buildTables } from '../../src/runtime/tables.ts';
import { BREAKER, deployment, group, plan } from './plans.ts';

const tenant = (id: string) => ({ id, description: null, allowedGroups: ['g'], rpm: null, tpm: null, monthlyBudgetUsd: null, apiKeys: [] });

describe('carryState (plan reload)', () => {
  const before = plan([deployment('a'), deployment('b'), deployment('gone')], [group('g', ['a', 'b', 'gone'])]);

  it('hands the state of deployments and tenants that still exist to the new plan, shared, by id not by index', () => {
    const oldTables = buildTables({ ...before, tenants: { t1: tenant('t1'), t2: tenant('t2') } as never });
    const old = new LocalState(oldTables);
    const now = 1_000_000;
    const b = oldTables.deploymentById.get('b')!;
    old.result(b, now, true, 40);
    old.result(b, now, true, 60);
    expect(old.deployments[b.index]!.breaker.phase).not.toBe(0);
    old.call(b, 500, now);
    old.tenantRequest(oldTables.tenantById.get('t2')!, 7, now);

    // New order, one deployment gone, one added, one tenant gone.
    const after = plan([deployment('aa'), deployment('b'), deployment('a')], [group('g', ['aa', 'b', 'a'])]);
    const newTables = buildTables({ ...after, tenants: { t2: tenant('t2') } as never });
    const next = new LocalState(newTables);
    expect(carryState(next, old)).toEqual({ deployments: 2, tenants: 1 });

    const nb = newTables.deploymentById.get('b')!;
    expect(nb.index).not.toBe(b.index);
    expect(next.deployments[nb.index]).toBe(old.deployments[b.index]);
    expect(next.deployments[nb.index]!.breaker.phase).toBe(old.deployments[b.index]!.breaker.phase);
    expect(next.deployments[nb.index]!.rpm.sum(now)).toBe(1);
    expect(next.deployments[nb.index]!.tpm.sum(now)).toBe(500);
    expect(next.deployments[newTables.deploymentById.get('aa')!.index]!.rpm.sum(now)).toBe(0);
    expect(next.tenants[newTables.tenantById.get('t2')!.index]!.tpm.sum(now)).toBe(7);
    // A request still running on the old plan counts into what the new plan reads.
    old.call(b, 100, now + 1);
    expect(next.deployments[nb.index]!.tpm.sum(now + 1)).toBe(600);
  });

  it('a breaker whose window size changed starts a fresh window but keeps its phase', () => {
    const oldTables = buildTables(before);
    const old = new LocalState(oldTables);
    const a = oldTables.deploymentById.get('a')!;
    old.result(a, 5_000, true, 10);
    old.result(a, 5_000, true, 10);
    old.call(a, 3, 5_000);
    const after = plan([deployment('a')], [group('g', ['a'], { circuitBreaker: { ...BREAKER, windowMs: 30_000 } })]);
    const next = new LocalState(buildTables(after));
    carryState(next, old);
    const s = next.deployments[0]!;
    expect(s).not.toBe(old.deployments[a.index]);
    expect(s.breaker.phase).toBe(old.deployments[a.index]!.breaker.phase);
    expect(s.breaker.openedAt).toBe(old.deployments[a.index]!.breaker.openedAt);
    expect(s.breaker.failures.sum(5_000)).toBe(0);
    expect(s.tpm.sum(5_000)).toBe(3);
  });
});
