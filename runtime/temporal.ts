import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type GrpcRetryOptions,
  type ClientInterceptors,
  type ConnectionOptions,
} from '@temporalio/client';
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
  let closing = false;
  const retry = options.rpcAttempts === undefined ? undefined : retryOptions(options.rpcAttempts, () => closing);
  const connectionOptions: ConnectionOptions = { address, ...(retry ? { interceptors: [makeGrpcRetryInterceptor(retry)] } : {}) };
  const connection = options.lazy ? Connection.lazy(connectionOptions) : await Connection.connect(connectionOptions);
  if (retry) {
    // A retry that fires after the channel closed throws from its timer (grpc-js refuses new calls
    // on a closed channel) and would take the process down: stop retrying first, let a retry
    // already waiting (at most RETRY_MAX_MS) go out, then close.
    const close = connection.close.bind(connection);
    connection.close = async () => {
      closing = true;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MAX_MS + 100));
      await close();
    };
  }
  return new Client({ connection, namespace, ...(options.interceptors ? { interceptors: options.interceptors } : {}) });
}

const RETRY_MAX_MS = 400;

function retryOptions(maxAttempts: number, closing: () => boolean): GrpcRetryOptions {
  const base = defaultGrpcRetryOptions({ maxAttempts, initialIntervalMs: () => 100, maxIntervalMs: () => RETRY_MAX_MS });
  return { ...base, retryableDecider: (attempt, status) => !closing() && base.retryableDecider(attempt, status) };
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
