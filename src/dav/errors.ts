/**
 * A DAV answer that is not a success: the status and, where RFC 4918 (or 3744, 4331, 6578, and
 * later 4791/6352) defines one, the precondition element that goes into the `DAV:error` body.
 */
export class DavError extends Error {
  readonly status: number;
  /** A DAV: precondition's local name, e.g. `lock-token-submitted`; or a clark name for another namespace. */
  readonly condition: string | null;
  /** Hrefs to put inside the precondition element (lock-token-submitted lists the locked roots). */
  readonly hrefs: string[];
  readonly headers: Record<string, string | string[]>;

  constructor(status: number, condition: string | null = null, message = condition ?? `status ${status}`, options: { hrefs?: string[]; headers?: Record<string, string | string[]> } = {}) {
    super(message);
    this.name = 'DavError';
    this.status = status;
    this.condition = condition;
    this.hrefs = options.hrefs ?? [];
    this.headers = options.headers ?? {};
  }
}

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 207: 'Multi-Status', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 412: 'Precondition Failed',
  413: 'Content Too Large', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 423: 'Locked', 424: 'Failed Dependency',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 507: 'Insufficient Storage',
};

export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}`.trimEnd();
}
