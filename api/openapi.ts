/**
 * Makes the served OpenAPI document say what the server does, for every operation at once:
 * every error answer is `application/problem+json` (the one error handler renders all of them),
 * the errors any request can meet (bad token, malformed body, limits, a dependency down) are
 * listed, and unsafe operations document `Idempotency-Key` with its 409/422 answers and the
 * write rate limit's 429.
 */

type Json = Record<string, unknown>;

const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'string' } } };
const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);

const problem = (description: string, headers?: Json): Json => ({ description, content: PROBLEM, ...(headers ? { headers } : {}) });

export function completeOpenApiDocument<T extends object>(document: T): T {
  const doc = structuredClone(document) as T & { paths?: Record<string, Record<string, Json>> };
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (typeof op !== 'object' || !('responses' in op)) continue;
      const responses = op.responses as Record<string, Json>;
      const authenticated = path.startsWith('/v1/');
      const add = (status: string, response: Json) => {
        responses[status] ??= response;
      };
      add('400', problem('validation_failed or malformed_body'));
      if (authenticated) {
        add('401', problem('unauthorized: missing, expired or badly signed token'));
        add('403', problem('forbidden: the role may not do this'));
        add('404', problem("not_found (or another company's)"));
      }
      add('503', problem('unavailable: PostgreSQL or Temporal is unreachable; retry after Retry-After', RETRY_AFTER));
      if (UNSAFE.has(method)) {
        if (op.requestBody) {
          add('413', problem('payload_too_large / file_too_large: refused before the body is read'));
          add('415', problem('unsupported_media_type: the body is not of the documented content type'));
        }
        add('409', problem('idempotency_in_progress (or a business conflict)'));
        add('422', problem('idempotency_key_reused (or a business rule)'));
        add('429', problem('rate_limited: too many writes for this token', RETRY_AFTER));
        const parameters = (op.parameters ??= []) as Json[];
        if (!parameters.some((p) => p.in === 'header' && String(p.name).toLowerCase() === 'idempotency-key')) {
          parameters.push({
            in: 'header',
            name: 'Idempotency-Key',
            required: false,
            description: 'the same key with the same body returns the first answer; scoped to the caller, method and path',
            schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' },
          });
        }
      }
      // Whatever a route declared for an error, the server sends problem+json.
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400 && !('$ref' in response)) response.content = PROBLEM;
      }
    }
  }
  return doc;
}
