/** Durations the workflows need; read from the environment by the starter and passed in input. */
export interface WorkflowSettings {
  invoiceTtlMs: number;
  reminderBeforeMs: number;
  mergeCleanupDelayMs: number;
}
