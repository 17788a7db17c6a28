/**
 * Model group names are what clients send as `model`: `gpt-4o`,
 * `openai/gpt-4o-mini`, `Llama-3.1-8B-Instruct`, `qwen2.5:7b`,
 * `claude@2024`. Letters of either case, digits and `. _ - / : @`, starting
 * with a letter or digit, at most 128 characters. Every destination quotes
 * or maps them (YAML quoted where needed, PromQL and SQL string literals,
 * Markdown code spans); none of these characters means anything to a shell.
 *
 * Plain TypeScript with no imports: the gateway and the runtime check a
 * requested `model` against the same rule without loading zod.
 */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,127}$/;

export const GROUP_NAME_RULE = 'must be letters, digits, ".", "_", "-", "/", ":" or "@", starting with a letter or digit (max 128 chars)';
