import { Page, Request } from 'playwright-core';
import { createTestApp, TestApp } from '../support/test-app';
import { buildService, launchBrowser, TestBrowser } from './support/browser';
import { eventually, expectText } from './support/eventually';
import { issueToken, KeystoneIdentities, keystoneConf, startKeystone } from './support/keystone';

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 19);

/**
 * The console behind the suite's real Keystone: a lessee signs in with user, password, project
 * and domain (the service exchanges them for a token and keeps nothing), sees its own lease in
 * full and another project's only as an anonymous busy block, and signs out (the token is
 * revoked). A pasted token works too.
 */
describe('web console with Keystone (headless Chromium, real Keystone)', () => {
  let ks: KeystoneIdentities;
  let t: TestApp;
  let url: string;
  let browser: TestBrowser;
  let page: Page & { errors: string[] };
  const tokens: Record<string, string> = {};
  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await t
      .http()
      [method as 'post'](path)
      .set('X-Auth-Token', tokens[who])
      .send(body as object);
    return res;
  };

  beforeAll(async () => {
    buildService();
    ks = await startKeystone();
    for (const user of ['esi-owner-user', 'esi-lessee-user', 'esi-other-user'])
      tokens[user] = await issueToken(ks, user);
    t = await createTestApp({ authEnable: true, conf: keystoneConf(ks) });
    url = await t.url();
    const owner = ks.projects['esi-owner'];
    t.nodes.add('ks-a', { owner, resourceClass: 'baremetal', properties: { cpus: 32 } });
    t.nodes.add('ks-b', { owner, resourceClass: 'baremetal', properties: { cpus: 64 } });
    const offer = await call('esi-owner-user', 'post', '/v1/offers', { resource_uuid: 'ks-a', end_time: day(12) });
    expect(offer.status).toBe(201);
    expect(
      (await call('esi-owner-user', 'post', '/v1/offers', { resource_uuid: 'ks-b', end_time: day(12) })).status,
    ).toBe(201);
    const claim = (who: string, name: string, from: number, to: number) =>
      call(who, 'post', `/v1/offers/${offer.body.uuid}/claim`, {
        name,
        purpose: `${name} purpose`,
        start_time: day(from),
        end_time: day(to),
      });
    expect((await claim('esi-lessee-user', 'lessee-run', 1, 2)).status).toBe(201);
    expect((await claim('esi-other-user', 'other-secret', 3, 4)).status).toBe(201);
    browser = await launchBrowser();
    page = await browser.page();
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('asks for sign-in, and shows Keystone’s refusal of a wrong password', async () => {
    await page.goto(`${url}/ui/`);
    await page.getByRole('heading', { name: 'Sign in to esi-leap' }).waitFor();
    await browser.screenshot(page, 'keystone-sign-in');
    await fillSignIn(page, 'esi-lessee-user', 'not-the-password', 'esi-lessee');
    await expectText(
      page.locator('.sign-in .error'),
      'Sign-in refused: the user name, password, project or domain is wrong.',
    );
  });

  it('signs a lessee in; its own lease is shown in full, the other project’s only as busy', async () => {
    const sent: Request[] = [];
    page.on('request', (r) => sent.push(r));
    const timeline = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/timeline' && r.status() === 200);
    await fillSignIn(page, 'esi-lessee-user', ks.user_password, 'esi-lessee');
    const body = await (await timeline).json();
    await page.locator('.row').first().waitFor();
    await expectText(page.locator('.top .who'), 'esi-lessee-user · project esi-lessee');

    expect(await page.locator('.row').count()).toBe(2);
    const rowA = page.locator('.row[data-node="ks-a"]');
    expect(await rowA.locator('rect.lease').count()).toBe(1);
    expect(await rowA.locator('rect.lease.mine').count()).toBe(1);
    expect(await rowA.locator('rect.busy').count()).toBe(1);
    // Nothing of the other project anywhere: not in the page, the busy block's tooltip, nor the
    // data it got. (String expressions: they run in the page, with its DOM.)
    await rowA.locator('rect.busy').hover();
    await expectText(page.locator('.tooltip'), /^Booked by another project: .* UTC$/);
    const shown = (await page.evaluate('document.body.innerText')) as string;
    for (const secret of ['other-secret', 'esi-other', ks.projects['esi-other']]) {
      expect([secret, shown.includes(secret)]).toEqual([secret, false]);
      expect([secret, JSON.stringify(body).includes(secret)]).toEqual([secret, false]);
    }
    await rowA.locator('rect.lease.mine').hover();
    await expectText(page.locator('.tooltip'), /^lessee-run \(booked\) for esi-lessee: .* UTC — lessee-run purpose$/);
    // The token went as X-Auth-Token, and the password went only to the sign-in route.
    const apiCall = sent.find((r) => new URL(r.url()).pathname === '/v1/timeline')!;
    expect((await apiCall.allHeaders())['x-auth-token']).toMatch(/^gAAAAA/);
    const withPassword = sent
      .filter((r) => (r.postData() ?? '').includes(ks.user_password))
      .map((r) => new URL(r.url()).pathname);
    expect(withPassword).toEqual(['/ui/session']);
    const stored = await page.evaluate("sessionStorage.getItem('esi-leap.token')");
    expect(stored).toBe((await apiCall.allHeaders())['x-auth-token']);

    await rowA.locator('rect.lease.mine').click();
    await expectText(page.locator('#node-heading'), 'test-node-ks-a');
    await browser.screenshot(page, 'keystone-lessee');
    expect(page.errors).toEqual([]);
  });

  it('signs out: back to the form, and the token is revoked in Keystone', async () => {
    const token = (await page.evaluate("sessionStorage.getItem('esi-leap.token')")) as string;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to esi-leap' }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('esi-leap.token')")).toBeNull();
    // Keystone itself no longer takes it (the service may still honour its cached validation for
    // up to [keystone_authtoken] token_cache_time, as keystonemiddleware does).
    const check = await fetch(`${ks.auth_url}/auth/tokens`, {
      headers: { 'X-Auth-Token': token, 'X-Subject-Token': token },
    });
    expect(check.status).toBe(401);
  });

  it('accepts a pasted token', async () => {
    const token = await issueToken(ks, 'esi-other-user');
    await page.getByRole('tab', { name: 'Token' }).click();
    await page.getByRole('textbox', { name: /Keystone token/ }).fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.row').first().waitFor();
    const rowA = page.locator('.row[data-node="ks-a"]');
    // The mirror image: its own lease in full, the lessee's as busy.
    await eventually(async () => expect(await rowA.locator('rect.lease.mine').count()).toBe(1));
    expect(await rowA.locator('rect.busy').count()).toBe(1);
    expect(((await page.evaluate('document.body.innerText')) as string).includes('lessee-run')).toBe(false);
    expect(page.errors).toEqual([]);
  });
});

async function fillSignIn(page: Page, user: string, password: string, project: string): Promise<void> {
  await page.getByRole('textbox', { name: 'User' }).fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('textbox', { name: 'Project' }).fill(project);
  await page.getByRole('textbox', { name: 'Domain' }).fill('Default');
  await page.getByRole('button', { name: 'Sign in' }).click();
}
