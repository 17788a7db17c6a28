/**
 * Text from a policy placed into Markdown (the runbooks, the readiness
 * gate, the diff report on a pull request): it must read back as the same
 * characters and never become markup, a link, an image or raw HTML.
 */

/**
 * Text outside code: every character with an inline meaning (emphasis,
 * code, links, images, HTML, strikethrough, GitHub's math) is backslash- or
 * entity-escaped; CommonMark lets any ASCII punctuation be backslash-escaped.
 * GitHub also turns bare `http://`, `www.` and e-mail addresses into links,
 * swallowing the escapes that follow them: the `:` of `://`, `@` and the dot
 * of `www.` are escaped too. Pipes are left to mdCell, which a table cell needs on top
 * of this.
 */
export const mdText = (s: string): string =>
  s
    .replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))
    .replace(/([\\`*_[\]>~$!@])/g, '\\$1')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/(www)\./gi, '$1\\.');

/** A table cell: no pipes or line breaks (the text is escaped separately, or is code). */
export const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Inline code that survives backticks in the text: a fence one longer than its longest run of them. */
export const mdCode = (s: string): string => {
  const ticks = '`'.repeat(Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return ticks.length > 1 || s.startsWith(' ') || s.endsWith(' ') ? `${ticks} ${s} ${ticks}` : `\`${s}\``;
};

/** A code fence longer than any backtick run inside the block. */
export const mdFence = (body: string): string => '`'.repeat(Math.max(3, ...[...body.matchAll(/`+/g)].map((m) => m[0].length + 1)));
