import { expect, it } from 'vitest';
import { closest } from '../../src/diagnostics/suggest.ts';

it('suggests the nearest candidate for a typo, and nothing for an unrelated word', () => {
  expect(closest('chat-antropic', ['chat', 'chat-anthropic', 'chat-azure'])).toBe('chat-anthropic');
  expect(closest('contextWindw', ['contextWindow', 'weight'])).toBe('contextWindow');
  expect(closest('zzzzzz', ['chat', 'premium'])).toBeUndefined();
});
