import { describe } from 'vitest';
import { checkCases } from './cases.ts';

describe('tenants', () => {
  checkCases([
    {
      name: 'a key reference shared with another tenant',
      edit: (p) => void (p.tenants[1]!.apiKeys = ['env:DOCS_OTHER', 'env:SUPPORT_KEY']),
      expected: 'shared-tenant-key @ tenants[1].apiKeys[1]',
      mentions: ['"docs"', '"support"', '"env:SUPPORT_KEY"'],
    },
  ]);
});
