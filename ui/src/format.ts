import type { TimelineNode } from './types';

/** The properties a row shows beside the node's name, when the node has them. */
export function keyProperties(node: TimelineNode): string {
  const p = node.properties ?? {};
  const parts: string[] = [];
  if (p.cpus !== undefined) parts.push(`${String(p.cpus)} cpus`);
  const memory = Number(p.memory_mb);
  if (Number.isFinite(memory) && memory > 0) parts.push(`${Math.round(memory / 1024)} GiB`);
  if (p.local_gb !== undefined) parts.push(`${String(p.local_gb)} GB disk`);
  if (typeof p.cpu_arch === 'string') parts.push(p.cpu_arch);
  if (p.gpu !== undefined) parts.push(`gpu ${String(p.gpu)}`);
  return parts.slice(0, 4).join(' · ');
}

export function nodeLabel(node: TimelineNode): string {
  return node.name ?? node.uuid;
}

/** Lease statuses in words a person reads at a glance. */
export const STATUS_LABELS: Record<string, string> = {
  created: 'booked',
  active: 'active',
  'wait fulfill': 'starting',
  'wait cancel': 'ending (cancelled)',
  'wait expire': 'ending',
  error: 'error',
  expired: 'ended',
  deleted: 'cancelled',
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

/** A CSS class per status: spaces are not allowed in one. */
export function statusClass(status: string): string {
  return `status-${status.replace(/\s+/g, '-')}`;
}
