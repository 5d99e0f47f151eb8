import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Page } from 'playwright-core';
import { buildService, launchBrowser, TestBrowser } from './support/browser';
import { eventually, expectText } from './support/eventually';
import { ServiceProcess, startService } from './support/service-process';

/** The project embedded mode acts as (`[noauth] project_id`'s default). */
const ME = '00000000000000000000000000000001';
const SOMEONE_ELSE = 'd0000000000000000000000000000007';

/**
 * The console as a newcomer meets it after `npm ci && npm start`: embedded mode, no sign-in,
 * dummy nodes. Claim a free window, watch the manager make it active, cancel it; offer an
 * owned node by dragging; filter; do it all again from the keyboard; errors in the API's words.
 */
describe('web console in embedded mode (headless Chromium)', () => {
  let dir: string;
  let service: ServiceProcess;
  let browser: TestBrowser;
  let page: Page & { errors: string[] };
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${service.url}${url}`, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const lane = (node: string) => page.locator(`.row[data-node="${node}"] svg.lane`);
  const leaseBars = (node: string) => page.locator(`.row[data-node="${node}"] rect.lease`);

  beforeAll(async () => {
    buildService();
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-console-'));
    const nodes = path.join(dir, 'data', 'nodes');
    mkdirSync(nodes, { recursive: true });
    const node = (name: string, owner: string, resourceClass: string, cpus: number) =>
      writeFileSync(
        path.join(nodes, name),
        JSON.stringify({
          project_owner_id: owner,
          resource_class: resourceClass,
          properties: { cpus, memory_mb: 131072 },
        }),
      );
    node('node-1', ME, 'baremetal', 16);
    node('node-2', ME, 'baremetal', 32);
    node('node-3', ME, 'baremetal', 48);
    node('node-4', ME, 'gpu', 64);
    node('node-5', ME, 'gpu', 64);
    node('node-6', SOMEONE_ELSE, 'gpu', 8);
    service = await startService(dir);
    const end = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 19);
    for (const n of ['node-1', 'node-2', 'node-3', 'node-4']) {
      expect((await api('POST', '/v1/offers', { resource_uuid: n, end_time: end })).status).toBe(201);
    }
    browser = await launchBrowser();
    page = await browser.page();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows every seeded node as a row, without any sign-in', async () => {
    await page.goto(`${service.url}/ui/`);
    await page.locator('.row').first().waitFor();
    expect(await page.locator('.row').count()).toBe(6);
    expect(await page.locator('.row .node-name').allTextContents()).toEqual(
      ['node-1', 'node-2', 'node-3', 'node-4', 'node-5', 'node-6'].map((n) => `dummy-node-${n}`),
    );
    await expectText(page.locator('.top .who'), 'No sign-in (embedded mode) · project admin');
    expect(await page.locator('.row[data-node="node-1"] rect.offer').count()).toBe(1);
    expect(await page.locator('.row[data-node="node-5"] rect.offer').count()).toBe(0);
    expect(await page.locator('.row.owned').count()).toBe(5);
    await browser.screenshot(page, 'embedded-week');
  });

  it('claims a free window by clicking it; the bar appears, turns active when the manager fulfils it, and goes on cancel', async () => {
    const box = (await lane('node-2').boundingBox())!;
    // The week view starts a day before today: 60 % across is a few days ahead, inside the offer.
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.getByRole('textbox', { name: 'Name' }).fill('console-claim');
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await expectText(page.locator('.notice'), 'Claimed the window: the lease is booked.');
    await leaseBars('node-2').first().waitFor();
    const uuid = (await leaseBars('node-2').first().getAttribute('data-lease'))!;
    // The claim starts now: the manager gives the node to the lease, an event is written, and
    // the console's event poll redraws the bar as active.
    await page.locator(`rect.lease[data-lease="${uuid}"][data-status="active"]`).waitFor({ timeout: 60_000 });
    const lease = await api('GET', `/v1/leases/${uuid}`);
    expect([lease.body.status, lease.body.name, lease.body.resource_uuid]).toEqual([
      'active',
      'console-claim',
      'node-2',
    ]);

    await page.locator(`rect.lease[data-lease="${uuid}"]`).click();
    await expectText(page.getByTestId('lease-status'), 'active');
    await browser.screenshot(page, 'embedded-claimed');
    await page.getByRole('button', { name: 'Cancel lease' }).click();
    await page.getByRole('button', { name: 'Confirm cancel' }).click();
    await expectText(page.locator('.notice'), 'Cancelled the lease.');
    await page.locator(`rect.lease[data-lease="${uuid}"]`).waitFor({ state: 'detached', timeout: 30_000 });
    await eventually(async () => expect((await api('GET', `/v1/leases/${uuid}`)).body.status).toBe('deleted'));
  });

  it('offers an owned node by dragging across its row', async () => {
    const box = (await lane('node-5').boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.4, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.47, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.55, y, { steps: 5 });
    await page.mouse.up();
    expect(await page.locator('.row[data-node="node-5"] rect.selection').count()).toBe(1);
    await page.getByRole('button', { name: 'Create offer' }).click();
    await expectText(page.locator('.notice'), 'Offered the window.');
    await page.locator('.row[data-node="node-5"] rect.offer').waitFor();
    const offers = await api('GET', '/v1/offers?resource_uuid=node-5');
    expect(offers.body.offers).toHaveLength(1);
    // About 15 % of a week, snapped to whole hours.
    const hours =
      (Date.parse(offers.body.offers[0].end_time) - Date.parse(offers.body.offers[0].start_time)) / 3_600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(30);
    expect(Number.isInteger(hours)).toBe(true);
  });

  it('filters by constraints and by name, and shows a refused filter in the API’s words', async () => {
    await page.getByRole('textbox', { name: 'Constraints' }).fill('cpus=>16');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectText(page.locator('.error .message'), "Invalid constraint 'cpus=>16': a value may not start with '>'.");
    await page.getByRole('textbox', { name: 'Constraints' }).fill('cpus>=48, memory_mb>=131072');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(async () =>
      expect(await page.locator('.row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node')))).toEqual([
        'node-3',
        'node-4',
        'node-5',
      ]),
    );
    expect(await page.locator('.error').count()).toBe(0);
    await page.getByRole('searchbox', { name: 'Find' }).fill('node-4');
    expect(await page.locator('.row').count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Find' }).fill('');
    await page.getByRole('textbox', { name: 'Constraints' }).fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(async () => expect(await page.locator('.row').count()).toBe(6));
  });

  it('works from the keyboard: a row, Enter, the prefilled free window, Claim; then extend and cancel from My leases', async () => {
    await page.locator('.row[data-node="node-2"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expectText(page.locator('#node-heading'), 'dummy-node-node-3');
    const claim = page.getByRole('button', { name: 'Claim', exact: true });
    await claim.focus();
    await page.keyboard.press('Enter');
    await expectText(page.locator('.notice'), 'Claimed the window: the lease is booked.');
    await leaseBars('node-3').first().waitFor();

    await page.getByRole('tab', { name: 'My leases' }).click();
    const mine = page.locator('[data-my-lease]');
    await mine.first().waitFor();
    expect(await mine.count()).toBe(1);
    await expectText(mine.locator('.countdown'), /^ends in \d+d \d\d:\d\d:\d\d$/);
    // Extend by the day the field proposes.
    const uuid = (await mine.first().getAttribute('data-my-lease'))!;
    const before = (await api('GET', `/v1/leases/${uuid}`)).body.end_time as string;
    await mine.getByRole('button', { name: 'Extend' }).click();
    await expectText(page.locator('.notice'), /^Extended the lease to .* UTC\.$/);
    const after = (await api('GET', `/v1/leases/${uuid}`)).body.end_time as string;
    expect(Date.parse(`${after}Z`) - Date.parse(`${before}Z`)).toBe(86_400_000);
    await mine.getByRole('button', { name: 'Cancel lease' }).focus();
    await page.keyboard.press('Enter');
    await mine.getByRole('button', { name: 'Confirm cancel' }).focus();
    await page.keyboard.press('Enter');
    await expectText(page.locator('.notice'), 'Cancelled the lease.');
    await leaseBars('node-3').first().waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('is readable on a phone held sideways: timeline, toolbar and panel all on screen', async () => {
    const phone = await browser.page({ width: 844, height: 390 });
    await phone.goto(`${service.url}/ui/`);
    await phone.locator('.row').first().waitFor();
    for (const selector of ['.toolbar', '.timeline-scroll', '.panel', '.row[data-node="node-1"] .node-name']) {
      const box = (await phone.locator(selector).boundingBox())!;
      expect([selector, box.x >= 0 && box.y >= 0 && box.x + box.width <= 844 + 1 && box.y < 390]).toEqual([
        selector,
        true,
      ]);
    }
    await browser.screenshot(phone, 'embedded-phone-landscape');
    expect(phone.errors).toEqual([]);
    await phone.close();
  });

  it('ran without a script error', () => {
    expect(page.errors).toEqual([]);
  });
});
