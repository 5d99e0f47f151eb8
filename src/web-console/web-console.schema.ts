import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

export const SIGN_IN_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    password: { type: 'string' },
    project: { type: 'string', description: 'Project name' },
    domain: { type: 'string', description: 'Domain name of the user and the project; default "Default"' },
  },
  required: ['username', 'password', 'project'],
  additionalProperties: false,
  example: { username: 'alice', password: 'secret', project: 'lab', domain: 'Default' },
};

export const SIGNED_IN_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    token: { type: 'string' },
    expires_at: { type: 'string' },
    user: {
      type: 'object',
      properties: { id: { type: 'string' }, name: { type: 'string' } },
      required: ['id', 'name'],
    },
    project: {
      type: 'object',
      properties: { id: { type: 'string' }, name: { type: 'string' } },
      required: ['id', 'name'],
    },
    roles: { type: 'array', items: { type: 'string' } },
  },
  required: ['token', 'expires_at', 'user', 'project', 'roles'],
  example: {
    token: 'gAAAAABnX0i-token',
    expires_at: '2030-01-02T13:30:00.000000Z',
    user: { id: '5e4d3c2b1a094f8e9d7c6b5a49382716', name: 'alice' },
    project: { id: '0f9e8d7c6b5a49382716a5b4c3d2e1f0', name: 'lab' },
    roles: ['lessee', 'member'],
  },
};
