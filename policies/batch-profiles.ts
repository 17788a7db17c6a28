import { defineBatchProfiles } from 'switchyard';

/**
 * OpenAI Batch API jobs: 24-hour window, half the synchronous price (the
 * batch price is derived from the deployment of the same model in
 * routing.ts). Every profile redacts PII before a file leaves: the built-in
 * detectors (email, phone, payment card, IBAN, IP address, US SSN) run unless
 * a profile narrows them, and profiles add their own patterns.
 */
export const batchProfiles = defineBatchProfiles([
  {
    id: 'document-extraction',
    description: 'Structured fields from uploaded documents',
    provider: 'openai',
    model: 'gpt-4o-mini',
    completionWindow: '24h',
    maxRequestsPerFile: 50_000,
    dataClasses: ['internal', 'pii'],
    // Extracted fields are matched back to customer records, so the local map restores the values on collect.
    redaction: { enabled: true, reidentify: true },
    metadata: { team: 'documents', cost_center: 'cc-1042' },
    slaHours: 24,
    tenant: 'document-pipeline',
  },
  {
    id: 'invoice-processing',
    description: 'Line items and totals from supplier invoices',
    provider: 'openai',
    model: 'gpt-4o-mini',
    completionWindow: '24h',
    maxRequestsPerFile: 20_000,
    maxFileSizeMb: 100,
    dataClasses: ['financial', 'pii'],
    redaction: {
      enabled: true,
      rules: [{ name: 'customer-number', pattern: '\\bCUST-[0-9]{6,10}\\b', replacement: '[CUSTOMER_NUMBER]' }],
    },
    metadata: { team: 'finance', cost_center: 'cc-2001' },
    slaHours: 24,
    tenant: 'document-pipeline',
  },
  {
    id: 'content-analysis',
    description: 'Classification and tagging of published content',
    provider: 'openai',
    model: 'gpt-4o-mini',
    completionWindow: '24h',
    maxRequestsPerFile: 50_000,
    dataClasses: ['public'],
    // Published text still carries contact details now and then.
    redaction: { enabled: true, detectors: ['email', 'phone'] },
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
    maxFileSizeMb: 100,
    dataClasses: ['internal'],
    redaction: { enabled: true },
    metadata: { team: 'research' },
    slaHours: 24,
    tenant: 'research-lab',
  },
]);
