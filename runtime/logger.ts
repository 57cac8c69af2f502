import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * With tracing on, a line logged while a span is current (a request, an activity) names its trace
 * and span, so a log line leads to its trace. Off, there is never a current span: nothing is added.
 */
function traceFields(): { traceId?: string; spanId?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {};
}

export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, base: { service: name }, mixin: traceFields });
}
