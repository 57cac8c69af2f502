// Bundled into the workflow sandbox when tracing is on (TRACING_WORKFLOW_MODULES): Temporal's
// OpenTelemetry workflow interceptors, with their randomness moved off the workflow's own stream.
// Imports only the workflow SDK and those interceptors, like any workflow code.
//
// Why: the OpenTelemetry SDK draws span ids from Math.random, which in a workflow is the seeded
// stream uuid4() also reads. Traced as they come, the order's invoice id and a shipment's
// realization id would differ between a run with tracing and one without, so switching tracing on
// or off would break every running workflow on its next replay (test/tracing.test.ts replays the
// recorded untraced histories on this bundle to prove it does not).
import { interceptors as openTelemetryInterceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js';
import { getRandomStream, type WorkflowInterceptors, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

/** A named stream: derived from the workflow's seed, so replays draw the same ids, but separate. */
const STREAM = 'opentelemetry';

function withOwnRandom<T extends object>(interceptor: T): T {
  return new Proxy(interceptor, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // `next` continuations given to the interceptor restore the workflow's own stream (SDK rule).
      return (...args: unknown[]): unknown => getRandomStream(STREAM).with(() => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}

export const interceptors: WorkflowInterceptorsFactory = (): WorkflowInterceptors => {
  const { inbound = [], outbound = [], internals = [] } = getRandomStream(STREAM).with(openTelemetryInterceptors);
  return { inbound: inbound.map(withOwnRandom), outbound: outbound.map(withOwnRandom), internals: internals.map(withOwnRandom) };
};
