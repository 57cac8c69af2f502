import { Runtime } from '@temporalio/worker';

/**
 * Serves the Temporal SDK's own metrics (task slots, pollers, schedule-to-start and execution
 * latencies, sticky cache) on `port` at /metrics. The SDK's runtime exists once per process and is
 * created by the first NativeConnection or Worker: call this before either, at most once.
 * Names and units stay the SDK's defaults (durations in milliseconds), as its documentation gives them.
 */
export function installWorkerMetrics(port: number): string {
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${port}` } } } });
  return `http://localhost:${port}/metrics`;
}
