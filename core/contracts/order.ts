import type { WorkflowSettings } from './settings.js';

export type OrderStatus = 'placed' | 'checking' | 'invoiced' | 'failed';

export interface OrderLineInput {
  sku: string;
  quantity: number;
}

export interface OrderWorkflowInput {
  orderId: string;
  customerId: string;
  lines: OrderLineInput[];
  placedAt: string;
  settings: WorkflowSettings;
  /** Waitlist offers this order takes up: their held pieces pass to the new invoice. */
  claims?: string[];
}

export interface OrderProjection {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: OrderLineInput[];
  invoiceId: string | null;
  error: string | null;
}
