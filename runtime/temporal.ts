import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ClientInterceptors, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config.js';

export interface ClientOptions {
  /**
   * Connect on first use instead of now, so an API process starts (and answers 503) while
   * Temporal is down, and recovers by itself when it comes back.
   */
  lazy?: boolean;
  /**
   * Attempts per gRPC call on retryable errors (UNAVAILABLE and the like). The SDK's default, 10
   * with back-off, keeps an HTTP request waiting ~20 s when the server is down; the API tries 3
   * times within ~0.5 s and answers 503 with Retry-After, leaving the retry to its client.
   */
  rpcAttempts?: number;
  /** Workflow call interceptors (tracing's, when on: runtime/tracing.ts). */
  interceptors?: ClientInterceptors;
}

export async function connectClient(address: string, namespace: string, options: ClientOptions = {}): Promise<Client> {
  const interceptors =
    options.rpcAttempts === undefined
      ? undefined
      : [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: options.rpcAttempts, initialIntervalMs: () => 100, maxIntervalMs: () => 400 }))];
  const connectionOptions: ConnectionOptions = { address, ...(interceptors ? { interceptors } : {}) };
  const connection = options.lazy ? Connection.lazy(connectionOptions) : await Connection.connect(connectionOptions);
  return new Client({ connection, namespace, ...(options.interceptors ? { interceptors: options.interceptors } : {}) });
}

/** The API's client: lazy, with few quick retries (see ClientOptions). */
export function connectApiClient(address: string, namespace: string, interceptors?: ClientInterceptors): Promise<Client> {
  return connectClient(address, namespace, { lazy: true, rpcAttempts: 3, ...(interceptors ? { interceptors } : {}) });
}

export function connectWorker(address: string): Promise<NativeConnection> {
  return NativeConnection.connect({ address });
}

export function temporalAddress(config: Config): string {
  if (!config.temporal.address) throw new Error('TEMPORAL_ADDRESS is not set (npm start sets it for the embedded dev server)');
  return config.temporal.address;
}
