import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config.js';

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

export function connectWorker(address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address });
}

export function temporalAddress(config: Config): string {
  if (!config.temporal.address) throw new Error('TEMPORAL_ADDRESS is not set (npm start sets it for the embedded dev server)');
  return config.temporal.address;
}
