import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../common/package-root';

const PACKAGED = {
  created: 'lease_create_email.txt',
  expiring: 'lease_expire_email.txt',
  end_soon: 'lease_end_soon_email.txt',
  start_soon: 'lease_start_soon_email.txt',
};

export type MailTemplateKind = keyof typeof PACKAGED;

/** The packaged template of a mail kind, used when `[email] lease_*_template` is unset. */
export function packagedTemplate(kind: MailTemplateKind): string {
  return path.join(packageRoot(), 'config', 'email', PACKAGED[kind]);
}

/**
 * Fills a template written for Python's `str.format` (upstream's templates): `{name}` is
 * replaced by its value, `{{`/`}}` are literal braces, an unknown name stays as written.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{|\}\}|\{(\w+)\}/g, (match, name: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    return name !== undefined && name in values ? values[name] : match;
  });
}

export function readTemplate(configured: string | null, packaged: string): string {
  return readFileSync(configured ?? packaged, 'utf8');
}
