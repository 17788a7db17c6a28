import { defineBatchProfiles } from 'switchyard';

const piiRules = [
  { name: 'email', pattern: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}', replacement: '[EMAIL]' },
  { name: 'phone', pattern: '\\+?[0-9][0-9 ()-]{7,}[0-9]', replacement: '[PHONE]' },
  { name: 'us-ssn', pattern: '\\b[0-9]{3}-[0-9]{2}-[0-9]{4}\\b', replacement: '[SSN]' },
];

/** OpenAI Batch API jobs: 24-hour window, about half the synchronous price. */
export const batchProfiles = defineBatchProfiles([
  {
    id: 'document-extraction',
    description: 'Structured fields from uploaded documents',
    provider: 'openai',
    model: 'gpt-4o-mini',
    completionWindow: '24h',
    maxRequestsPerFile: 50_000,
    dataClasses: ['internal', 'pii'],
    redaction: { enabled: true, rules: piiRules },
    metadata: { team: 'documents', cost_center: 'cc-1042' },
    slaHours: 24,
  },
  {
    id: 'invoice-processing',
    description: 'Line items and totals from supplier invoices',
    provider: 'openai',
    model: 'gpt-4o-mini',
    completionWindow: '24h',
    maxRequestsPerFile: 20_000,
    dataClasses: ['financial', 'pii'],
    redaction: {
      enabled: true,
      rules: [...piiRules, { name: 'iban', pattern: '\\b[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\\b', replacement: '[IBAN]' }],
    },
    metadata: { team: 'finance', cost_center: 'cc-2001' },
    slaHours: 24,
  },
  {
    id: 'content-analysis',
    description: 'Classification and tagging of published content',
    provider: 'openai',
    model: 'gpt-4o-mini',
    completionWindow: '24h',
    maxRequestsPerFile: 50_000,
    dataClasses: ['public'],
    redaction: { enabled: false },
    metadata: { team: 'content' },
    slaHours: 24,
  },
  {
    id: 'research',
    description: 'Long-form research summaries',
    provider: 'openai',
    model: 'gpt-4o',
    completionWindow: '24h',
    maxRequestsPerFile: 10_000,
    dataClasses: ['internal'],
    redaction: { enabled: false },
    metadata: { team: 'research' },
    slaHours: 24,
  },
]);
