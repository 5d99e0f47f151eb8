import { existsSync } from 'node:fs';
import { packagedTemplate, renderTemplate } from './mail-template';

describe('renderTemplate (Python str.format placeholders)', () => {
  it('fills known names, keeps unknown ones and literal braces', () => {
    expect(renderTemplate('Hi {project}, {lease_uuid} {{x}} {other}', { project: 'p', lease_uuid: 'u' })).toBe(
      'Hi p, u {x} {other}',
    );
  });

  it('finds the packaged templates', () => {
    expect(existsSync(packagedTemplate('created'))).toBe(true);
    expect(existsSync(packagedTemplate('expiring'))).toBe(true);
    expect(existsSync(packagedTemplate('end_soon'))).toBe(true);
    expect(existsSync(packagedTemplate('start_soon'))).toBe(true);
  });
});
