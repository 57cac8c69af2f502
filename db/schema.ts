import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { InvoiceLine, InvoiceStatus } from '../core/domain/invoice.js';
import type { Box } from '../core/domain/packing.js';
import type { OrderLineInput, OrderStatus } from '../core/contracts/order.js';
import type { DocumentParams, DocumentStatus, DocumentType } from '../core/contracts/documents.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in (default now()). */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint columns come back from pg as strings; we store kopecks and quantities that fit in a JS number. */
type Int8 = ColumnType<string, number | bigint | string, number | bigint | string>;

export interface CustomersTable {
  id: string;
  name: string;
  email: string;
  inn: string | null;
  manager_email: string;
  email_notifications: Generated<boolean>;
  created_at: DefaultedTimestamp;
}

export interface ProductsTable {
  sku: string;
  article: string;
  name: string;
  characteristic: string | null;
  unit: Generated<string>;
  price_kopecks: Int8;
  pieces_per_box: number;
  certificate_number: string | null;
  certificate_valid_until: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: DefaultedTimestamp;
}

export interface StockTable {
  sku: string;
  on_hand: number;
  reserved: Generated<number>;
  updated_at: DefaultedTimestamp;
}

export interface ReservationsTable {
  invoice_id: string;
  sku: string;
  quantity: number;
  /** Set when the invoice goes to the warehouse: a stock cut never touches picked goods. */
  pinned: Generated<boolean>;
  created_at: DefaultedTimestamp;
}

export interface CartItemsTable {
  customer_id: string;
  sku: string;
  quantity: number;
  updated_at: DefaultedTimestamp;
}

export interface OrdersTable {
  id: string;
  customer_id: string;
  status: OrderStatus;
  lines: JSONColumnType<OrderLineInput[]>;
  invoice_id: string | null;
  error: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface InvoicesTable {
  id: string;
  number: string;
  customer_id: string;
  order_id: string | null;
  status: InvoiceStatus;
  version: number;
  lines: JSONColumnType<InvoiceLine[]>;
  total_kopecks: Int8;
  confirmed_at: Timestamp | null;
  expires_at: Timestamp | null;
  merged_into: string | null;
  boxes: JSONColumnType<Box[]> | null;
  realization_id: string | null;
  realization_number: string | null;
  merged_from: JSONColumnType<string[]> | null;
  created_at: Timestamp;
  updated_at: DefaultedTimestamp;
}

export interface InvoiceEventsTable {
  invoice_id: string;
  seq: number;
  at: Timestamp;
  actor_type: string;
  actor_id: string;
  action: string;
  from_status: string | null;
  to_status: string;
  details: JSONColumnType<Record<string, unknown>>;
}

export interface DocumentNumbersTable {
  entity_id: string;
  kind: string;
  year: number;
  seq: number;
  number: string;
}

export interface NumberCountersTable {
  kind: string;
  year: number;
  last: number;
}

export interface EmailLogTable {
  key: string;
  kind: string;
  to_address: string;
  subject: string;
  text: string;
  html: string;
  status: 'sent' | 'outbox' | 'skipped' | 'failed';
  provider_id: string | null;
  created_at: DefaultedTimestamp;
}

export interface IdempotencyKeysTable {
  principal: string;
  /** `METHOD /path` the key was used on. */
  scope: Generated<string>;
  key: string;
  request_hash: string;
  /** The request holding the claim, and until when its lease runs (renewed while it runs). */
  owner: string | null;
  lease_until: Date | null;
  status_code: number | null;
  response_body: string | null;
  response_headers: JSONColumnType<Record<string, string>> | null;
  created_at: DefaultedTimestamp;
}

export interface RealizationsTable {
  id: string;
  invoice_id: string;
  number: string;
  customer_id: string;
  shipped_at: Timestamp;
  lines: JSONColumnType<InvoiceLine[]>;
  boxes: JSONColumnType<Box[]>;
  total_kopecks: Int8;
}

export interface StockCorrectionsTable {
  id: string;
  sku: string;
  on_hand: number;
  affected: JSONColumnType<string[]>;
  created_at: DefaultedTimestamp;
}

export interface DocumentsTable {
  id: string;
  customer_id: string;
  type: DocumentType;
  status: ColumnType<DocumentStatus, DocumentStatus | undefined, DocumentStatus>;
  params: JSONColumnType<DocumentParams>;
  number: string | null;
  file_name: string | null;
  content_type: string | null;
  content: Buffer | null;
  size_bytes: number | null;
  error: string | null;
  created_at: DefaultedTimestamp;
  ready_at: Timestamp | null;
}

export interface PaymentsTable {
  id: string;
  customer_id: string;
  amount_kopecks: Int8;
  /** A calendar date: pg returns `date` as a Date at local midnight, so read it with to_char. */
  paid_at: ColumnType<Date, string, string>;
  reference: string;
  registered_by: string;
  created_at: DefaultedTimestamp;
}

export interface PaymentOrdersTable {
  id: string;
  customer_id: string;
  file_name: string;
  content_type: string;
  content: Buffer;
  size_bytes: number;
  created_at: DefaultedTimestamp;
}

export interface MergeMovesTable {
  merge_id: string;
  source_invoice_id: string;
  sku: string;
  quantity: number;
}

export interface OutboxEventsTable {
  /** bigserial: pg returns it as a string. */
  seq: ColumnType<string, never, never>;
  id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: JSONColumnType<Record<string, unknown>>;
  created_at: DefaultedTimestamp;
}

export interface WebhookEndpointsTable {
  url: string;
  fanned_out_seq: ColumnType<string, string | number | undefined, string | number>;
}

export interface WebhookDeliveriesTable {
  id: ColumnType<string, never, never>;
  endpoint: string;
  event_seq: Int8;
  aggregate_id: string;
  status: ColumnType<'pending' | 'delivered' | 'dead' | 'skipped', 'pending' | 'delivered' | 'dead' | 'skipped' | undefined>;
  attempts: Generated<number>;
  next_attempt_at: DefaultedTimestamp;
  last_error: string | null;
  delivered_at: Timestamp | null;
  updated_at: DefaultedTimestamp;
}

export interface StockBatchesTable {
  batch_id: string;
  request_hash: string;
  result: JSONColumnType<Record<string, unknown>> | null;
  created_at: DefaultedTimestamp;
}

export type WaitlistStatus = 'waiting' | 'offered' | 'claimed' | 'cancelled' | 'lapsed' | 'expired';
export interface WaitlistEntriesTable {
  id: string;
  seq: Generated<string>;
  customer_id: string;
  sku: string;
  quantity: number;
  status: ColumnType<WaitlistStatus, WaitlistStatus | undefined, WaitlistStatus>;
  held: ColumnType<number, number | undefined, number>;
  offered_at: Date | null;
  hold_until: Date | null;
  wait_until: ColumnType<Date, Date | string, Date | string>;
  invoice_id: string | null;
  claimed_invoice_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface Database {
  customers: CustomersTable;
  products: ProductsTable;
  stock: StockTable;
  reservations: ReservationsTable;
  cart_items: CartItemsTable;
  orders: OrdersTable;
  invoices: InvoicesTable;
  invoice_events: InvoiceEventsTable;
  document_numbers: DocumentNumbersTable;
  number_counters: NumberCountersTable;
  email_log: EmailLogTable;
  idempotency_keys: IdempotencyKeysTable;
  realizations: RealizationsTable;
  merge_moves: MergeMovesTable;
  stock_corrections: StockCorrectionsTable;
  documents: DocumentsTable;
  payments: PaymentsTable;
  payment_orders: PaymentOrdersTable;
  outbox_events: OutboxEventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  stock_batches: StockBatchesTable;
  waitlist_entries: WaitlistEntriesTable;
}
