import { Page } from 'playwright-core';
import { headersFor, P } from '../support/projects';
import { createTestApp, TestApp } from '../support/test-app';
import { buildService, launchBrowser, TestBrowser } from './support/browser';
import { expectText } from './support/eventually';

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 19);

/**
 * The "several nodes" panel: a group request for N nodes matching the filter, for one window.
 * The browser acts as a lessee (noauth identity headers on every request it sends).
 */
describe('web console group requests (headless Chromium)', () => {
  let t: TestApp;
  let url: string;
  let browser: TestBrowser;
  let page: Page & { errors: string[] };

  beforeAll(async () => {
    buildService();
    t = await createTestApp();
    url = await t.url();
    for (const [uuid, cpus] of [
      ['grp-1', 16],
      ['grp-2', 32],
      ['grp-3', 64],
    ] as const) {
      t.nodes.add(uuid, { owner: P.owner, resourceClass: 'baremetal', properties: { cpus } });
      const offer = await t
        .as('owner')
        .post('/v1/offers')
        .send({ resource_uuid: uuid, end_time: day(20) });
      expect(offer.status).toBe(201);
    }
    browser = await launchBrowser();
    page = await browser.page();
    await page.setExtraHTTPHeaders(headersFor('lessee'));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const openPanel = async (constraints: string) => {
    await page.goto(`${url}/ui/`);
    await page.locator('.row').first().waitFor();
    await page.getByRole('textbox', { name: 'Constraints' }).fill(constraints);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('tab', { name: 'Several nodes' }).click();
    await page.getByRole('spinbutton', { name: 'Nodes' }).fill('3');
  };

  describe('with lease groups on the server', () => {
    it('shows why a group cannot be booked: the API’s explanation and its facts', async () => {
      // The form's datetime inputs hold minutes: the direct request asks for the same window.
      const [start, end] = [day(1).slice(0, 16), day(2).slice(0, 16)];
      const body = {
        count: 3,
        constraints: ['cpus>=32'],
        start_time: `${start}:00`,
        end_time: `${end}:00`,
        dry_run: true,
      };
      const direct = await t.as('lessee').post('/v1/lease_groups').send(body);
      expect(direct.status).toBe(409);
      await openPanel('cpus>=32');
      await page.locator('input[name="group-start"]').fill(start);
      await page.locator('input[name="group-end"]').fill(end);
      await page.getByRole('button', { name: 'Check' }).click();
      const explanation = page.getByTestId('group-explanation');
      await explanation.waitFor();
      await expectText(explanation.locator('p'), direct.body.faultstring);
      const facts = await explanation.locator('dd').allTextContents();
      expect(facts.slice(0, 3)).toEqual([
        String(direct.body.capacity.candidates),
        String(direct.body.capacity.matching),
        String(direct.body.capacity.free),
      ]);
      expect(direct.body.capacity.matching).toBe(2);
      await browser.screenshot(page, 'group-explanation');
      // Two nodes do match: the dry run lists them, and booking takes both, all or nothing.
      await page.getByRole('spinbutton', { name: 'Nodes' }).fill('2');
      await page.getByRole('button', { name: 'Check' }).click();
      await expectText(page.getByTestId('group-plan').locator('h3'), 'These 2 nodes are free');
      expect(page.errors).toEqual([]);
    });
  });
});
