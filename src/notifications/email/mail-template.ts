import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../common/package-root';

/** The packaged templates, used when `[email] lease_*_template` is unset. */
export const DEFAULT_TEMPLATES = {
  created: path.join(packageRoot(), 'config', 'email', 'lease_create_email.txt'),
  expiring: path.join(packageRoot(), 'config', 'email', 'lease_expire_email.txt'),
};

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

export function readTemplate(configured: string | null, fallback: string): string {
  return readFileSync(configured ?? fallback, 'utf8');
}
