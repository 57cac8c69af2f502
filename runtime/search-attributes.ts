// The namespace must know every search attribute the workflows set: an upsert of an unknown one
// fails the workflow task on every retry, and the invoice is stuck until someone registers it.
import type { ConnectionLike } from '@temporalio/client';
import { APP_SEARCH_ATTRIBUTES } from '../core/contracts/search-attributes.js';

/**
 * The CLI's spelling of each type (`--search-attribute Name=Type`, `search-attribute create --type`)
 * and its `temporal.api.enums.v1.IndexedValueType` number, which the gRPC API takes and returns
 * (spelled as numbers because `@temporalio/proto` is not a direct dependency).
 */
const TYPES = {
  KEYWORD: { cli: 'Keyword', indexed: 2 },
  DATETIME: { cli: 'Datetime', indexed: 6 },
} as const;

export interface RequiredSearchAttribute {
  name: string;
  cli: 'Keyword' | 'Datetime';
  indexed: number;
}

export const REQUIRED_SEARCH_ATTRIBUTES: readonly RequiredSearchAttribute[] = APP_SEARCH_ATTRIBUTES.map((key) => ({ name: key.name, ...TYPES[key.type] }));

/** Which required attributes a namespace's `customAttributes` lacks, and which exist with another type. */
export function searchAttributeGaps(existing: Record<string, number>): { missing: RequiredSearchAttribute[]; wrong: RequiredSearchAttribute[] } {
  return {
    missing: REQUIRED_SEARCH_ATTRIBUTES.filter((a) => !(a.name in existing)),
    wrong: REQUIRED_SEARCH_ATTRIBUTES.filter((a) => a.name in existing && existing[a.name] !== a.indexed),
  };
}

/** The command an operator runs once per attribute. */
export function createCommand(namespace: string, attribute: RequiredSearchAttribute): string {
  return `temporal operator search-attribute create --namespace ${namespace} --name ${attribute.name} --type ${attribute.cli}`;
}

/** Refuses to start a worker on a namespace that lacks an attribute its workflows would upsert. */
export async function assertSearchAttributes(connection: Pick<ConnectionLike, 'operatorService'>, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const { missing, wrong } = searchAttributeGaps(customAttributes);
  if (wrong.length > 0) throw new Error(`search attributes ${wrong.map((a) => `${a.name} (must be ${a.cli})`).join(', ')} have another type in "${namespace}"`);
  if (missing.length > 0) {
    throw new Error(
      `the Temporal namespace "${namespace}" lacks the search attributes ${missing.map((a) => a.name).join(', ')}; register them once:\n` +
        missing.map((a) => `  ${createCommand(namespace, a)}`).join('\n'),
    );
  }
}
