import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** The keys a lease shows after upstream's: whether its node is unhealthy, and why (docs/node-health.md). */
export function withLeaseHealth(lease: SchemaObject): SchemaObject {
  return {
    ...lease,
    properties: {
      ...lease.properties,
      degraded: { type: 'boolean', description: "The lease's node is unhealthy (maintenance, fault, failed provisioning)" },
      degraded_reason: { type: 'string', nullable: true, description: 'Why, while degraded' },
    },
    required: [...(lease.required ?? []), 'degraded', 'degraded_reason'],
    example: { ...(lease.example as Record<string, unknown>), degraded: false, degraded_reason: null },
  };
}
