import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';
import { createTestApp, TestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, installed with apt on first use (the machine reaches Debian's packages, not browser downloads). */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}

/** Swagger UI at /docs in a real browser, used as a person would: Authorize, then Try it out. */
describe('Swagger UI', () => {
  let t: TestApp;
  let url: string;
  let profile: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    ensureChromium();
    t = await createTestApp();
    url = await t.url();
    profile = mkdtempSync(path.join(tmpdir(), 'esi-leap-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('sends the token given to "Authorize" as X-Auth-Token when GET /v1/offers is tried out', async () => {
    const token = 'gAAAAAB-swagger-ui-token';
    const page = await browser.newPage();
    await page.goto(`${url}/docs`);

    await page.locator('button.authorize').first().click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input[type=text]').fill(token);
    await dialog.locator('button.authorize').click();
    await dialog.locator('button.btn-done').click();

    const listOffers = page.locator('.opblock.opblock-get', { has: page.locator('[data-path="/v1/offers"]') });
    await listOffers.locator('.opblock-summary').first().click();
    await listOffers.locator('button.try-out__btn').click();
    const sent = page.waitForRequest((req) => req.method() === 'GET' && new URL(req.url()).pathname === '/v1/offers');
    const answered = page.waitForResponse((res) => new URL(res.url()).pathname === '/v1/offers');
    await listOffers.locator('button.execute').click();

    const request = await sent;
    expect((await request.allHeaders())['x-auth-token']).toBe(token);
    expect((await answered).status()).toBe(200);
    // And the page shows the answer it got.
    const shown = listOffers.locator('.live-responses-table tbody .response-col_status').first();
    await shown.waitFor();
    expect((await shown.textContent())?.trim()).toBe('200');
  });
});
