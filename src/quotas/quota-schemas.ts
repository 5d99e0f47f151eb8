import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

const SECONDS_OR_NULL: SchemaObject = { type: 'number', nullable: true, description: 'Seconds; null: no limit' };

export const QUOTAS_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    project_id: { type: 'string' },
    project: { type: 'string' },
    quotas: {
      type: 'array',
      description: "The quotas covering the project: its own, then its parents' that count sub-projects",
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', enum: ['nodes', 'node_hours', 'leases'] },
          project_id: { type: 'string', description: 'The project the quota is set for' },
          include_subprojects: { type: 'boolean' },
          limit: { type: 'number', nullable: true },
          in_use: {
            type: 'number',
            description: 'Now: nodes held, node-hours booked in the last 30 days, open leases',
          },
          peak: { type: 'number', description: 'The most it reaches from now on with what is booked' },
          peak_at: { type: 'string', nullable: true, description: 'The instant, or the start of the 30 days' },
        },
      },
    },
    lease_limits: {
      type: 'object',
      nullable: true,
      description: 'Null without a limits file',
      properties: {
        self_service_extension: { type: 'boolean' },
        by_resource_class: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              resource_class: { type: 'string', nullable: true },
              max_lease_length: SECONDS_OR_NULL,
              max_total_length: SECONDS_OR_NULL,
              extension_window: SECONDS_OR_NULL,
              max_extension: SECONDS_OR_NULL,
              booking_horizon: SECONDS_OR_NULL,
              min_gap: { type: 'number', description: 'Seconds of cleaning time between two leases on a node' },
            },
          },
        },
      },
    },
  },
};
