import { readdirSync, readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it, inject } from 'vitest';

// Histories recorded from real runs (`npm run record-histories`; `*.before-<patch>.json` were recorded
// before that patch, so both sides of it stay covered; `*.<patch>.json` were recorded with that patch
// when the plain names were kept from before it). Replaying them against today's
// workflow code fails on any change that would break running workflows: such a change needs
// `patched()`, not a silent edit.
Runtime.install({ logger: new DefaultLogger('WARN') });
const dir = new URL('./histories/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
// Read with the same protobuf classes the worker uses (the SDK's historyFromJSON trips over a
// second protobufjs copy in this install).
const load = (file: string) => temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));

describe('replay of recorded histories', () => {
  it('has a history for every workflow type', () => {
    const types = new Set(
      files.map((f) => {
        const history = load(f);
        return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      }),
    );
    expect([...types].sort()).toEqual(['documentWorkflow', 'invoiceWorkflow', 'mergeWorkflow', 'orderWorkflow', 'stockCorrectionWorkflow']);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const history = load(file);
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history, file.replace('.json', ''));
  });
});
