// The HTTP end of a trace: one server span per request, current while the request runs, so the
// Temporal client calls and the queries it makes become its children. Only @opentelemetry/api:
// until runtime/tracing.ts registers a provider, the span is a no-op and has no trace id.
import { context, isSpanContextValid, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

const tracer = trace.getTracer('wholesale-orders/api');

/** The X-Request-Id the request was answered with, on its span: a client's own id finds its trace. */
export const ATTR_REQUEST_ID = 'request.id';

/**
 * Opens the request's server span, named after the route pattern (`POST /v1/cart/checkout`, not
 * the path with its ids). A caller's W3C `traceparent` makes it a child of the caller's trace.
 * Only 5xx mark the span failed: a 4xx is the API answering correctly.
 */
export function traceRequests(): MiddlewareHandler {
  return async (c, next) => {
    const parent = propagation.extract(context.active(), c.req.header());
    // The last route this request matched: its handler's pattern, or a middleware's for a 404.
    const route = routePath(c, -1);
    await tracer.startActiveSpan(
      `${c.req.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: c.req.method, [ATTR_HTTP_ROUTE]: route, [ATTR_URL_PATH]: c.req.path } },
      parent,
      async (span) => {
        try {
          await next();
          span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, c.res.status);
          const requestId = c.res.headers.get('X-Request-Id');
          if (requestId) span.setAttribute(ATTR_REQUEST_ID, requestId);
          if (c.res.status >= 500) {
            span.setAttribute(ATTR_ERROR_TYPE, String(c.res.status));
            span.setStatus({ code: SpanStatusCode.ERROR });
            if (c.error) span.recordException(c.error);
          }
        } finally {
          span.end();
        }
      },
    );
  };
}

/** The current trace's id, when tracing is on and a span is current. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
