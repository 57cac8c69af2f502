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
}

export interface OrderProjection {
  id: string;
  customerId: string;
  status: OrderStatus;
  lines: OrderLineInput[];
  invoiceId: string | null;
  error: string | null;
}
