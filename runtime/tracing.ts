// OpenTelemetry traces: one trace from the HTTP request through the Temporal client, the workflow
// and its activities down to each PostgreSQL query. Off unless an OTLP endpoint is configured;
// then spans go out over OTLP/HTTP. The HTTP server span is made by api/tracing.ts and the query
// spans by db/tracing.ts: both use only @opentelemetry/api, which does nothing until the provider
// below is registered, so they need no switch of their own.
import { fileURLToPath } from 'node:url';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { Config } from './config.js';

/**
 * The workflow half of Temporal's interceptors (tracing.workflow.ts). It runs inside the workflow
 * sandbox, so it has to be bundled with the workflow code: the worker passes it to the bundler
 * when it bundles `workflows/index.ts` itself; a prebuilt bundle must have been built with it.
 */
export const TRACING_WORKFLOW_MODULES = [fileURLToPath(new URL('./tracing.workflow.ts', import.meta.url))];

export interface Tracing {
  /** For every Temporal Client of the process: starts, signals and updates carry the caller's span. */
  clientInterceptors: ClientInterceptors;
  /** Adds the activity interceptors, the workflow modules and the sink workflow spans leave by. */
  instrumentWorker(options: WorkerOptions): WorkerOptions;
  /** Sends every span ended so far (the exporter batches them). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `service.name` of this process's spans, unless OTEL_SERVICE_NAME names one. */
  serviceName: string;
  /** Where spans go instead of OTLP (tests: an in-memory exporter behind a simple processor). */
  spanProcessor?: SpanProcessor;
}

/**
 * Registers the process-wide tracer provider when tracing is on (an OTLP endpoint configured, or a
 * processor given), and returns what the Temporal client and worker need; `undefined` when off.
 * Off, nothing is installed: no interceptor, no workflow module, no sink, so workflow histories
 * are exactly those of an untraced worker.
 */
export async function startTracing(config: Config, options: TracingOptions): Promise<Tracing | undefined> {
  if (!config.tracing.enabled && !options.spanProcessor) return undefined;
  // Loaded only when on: the SDK and the exporter cost every process memory it would not use.
  const [{ OTLPTraceExporter }, { Resource }, { BatchSpanProcessor }, { NodeTracerProvider }, { ATTR_SERVICE_NAME }, otel] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/semantic-conventions'),
    import('@temporalio/interceptors-opentelemetry'),
  ]);
  const { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, OpenTelemetryWorkflowClientInterceptor } = otel;
  // The SDK's defaults (telemetry.sdk.*) plus our name; a Resource proper, which the workflow sink needs.
  const resource = new Resource({ ...Resource.default().attributes, [ATTR_SERVICE_NAME]: config.tracing.serviceName ?? options.serviceName });
  // The exporter reads the standard variables itself: OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT,
  // _HEADERS, _TIMEOUT. Batching keeps span export off the request path.
  const processor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // Sets the global provider, the AsyncLocalStorage context manager (a span stays current across
  // awaits) and the W3C traceparent propagator.
  provider.register();

  const sinks: InjectedSinks<OpenTelemetrySinks> = { exporter: otel.makeWorkflowExporter(processor, resource) };
  return {
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    instrumentWorker(worker) {
      const given = worker.interceptors ?? {};
      return {
        ...worker,
        interceptors: {
          ...given,
          // First, so the span also covers what later interceptors do (the fault tests' failures).
          activity: [
            (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
            ...(given.activity ?? []),
          ],
          // A prebuilt bundle ignores these (with a warning): it was built with them, or untraced.
          ...(worker.workflowBundle ? {} : { workflowModules: [...TRACING_WORKFLOW_MODULES, ...(given.workflowModules ?? [])] }),
        },
        sinks: { ...worker.sinks, ...sinks },
      };
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
