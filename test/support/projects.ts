/**
 * The projects every e2e test knows (noauth `[noauth] projects`): an owner, a lessee with a
 * child and a grandchild, an unrelated project, and the admin project.
 */
export const P = {
  admin: 'a0000000000000000000000000000001',
  owner: 'b0000000000000000000000000000002',
  owner2: 'b0000000000000000000000000000003',
  lessee: 'c0000000000000000000000000000004',
  child: 'c0000000000000000000000000000005',
  grandchild: 'c0000000000000000000000000000006',
  other: 'd0000000000000000000000000000007',
} as const;

export const PROJECT_ENTRIES = [
  `${P.admin}:admin`,
  `${P.owner}:owner`,
  `${P.owner2}:owner2`,
  `${P.lessee}:lessee`,
  `${P.child}:child:${P.lessee}`,
  `${P.grandchild}:grandchild:${P.child}`,
  `${P.other}:other`,
];

export type Persona = keyof typeof PERSONAS;

/** Identity headers keystonemiddleware would set for each kind of caller. */
export const PERSONAS = {
  admin: { project: P.admin, roles: 'admin' },
  owner: { project: P.owner, roles: 'owner' },
  owner2: { project: P.owner2, roles: 'owner' },
  lessee: { project: P.lessee, roles: 'lessee' },
  childLessee: { project: P.child, roles: 'lessee' },
  grandchildLessee: { project: P.grandchild, roles: 'lessee' },
  otherLessee: { project: P.other, roles: 'lessee' },
  ownerNoRole: { project: P.owner, roles: '' },
  lesseeNoRole: { project: P.lessee, roles: '' },
  member: { project: P.other, roles: 'member' },
} as const;

export function headersFor(persona: Persona): Record<string, string> {
  const { project, roles } = PERSONAS[persona];
  return { 'X-Project-Id': project, 'X-Roles': roles, 'X-User-Id': `user-of-${persona}` };
}
