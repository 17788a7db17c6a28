/**
 * OpenAI's error envelope, `{"error": {"message", "type", "param", "code"}}`
 * with all four keys always present (wire README section 1), and the
 * statuses the Files and Batches endpoints answer with.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = status >= 500 ? 'server_error' : 'invalid_request_error',
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) => new ApiError(400, message, param, code);
export const notFound = (message: string, param: string | null = null) => new ApiError(404, message, param);
