import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BENCH_ADMIN, generateFleet, PROJECT_ENTRIES } from '../../bench/fleet-generator';
import { createTestDatabase, TestDatabase, testDatabaseKinds } from '../helpers/test-databases';
import { writeLocalConf } from '../support/local-conf';
import { buildService, launchBrowser, SCREENSHOTS, TestBrowser } from './support/browser';
import { ServiceProcess, startService } from './support/service-process';

/** 45 leases per node in 2-day slots: about 15 per node in any 30 days, past and future. */
const FLEET = { nodes: 1000, leases: 45_000 };

/**
 * A month of a 1,000-node fleet in the browser: every row and every bar is drawn. The times are
 * measured and written to .test-output/web-console/render-times.json, never asserted (figures
 * go in docs/performance.md).
 */
describe('web console with 1,000 nodes over 30 days (headless Chromium)', () => {
  let db: TestDatabase;
  let dir: string;
  let service: ServiceProcess;
  let browser: TestBrowser;

  beforeAll(async () => {
    buildService();
    db = await createTestDatabase(testDatabaseKinds()[0]);
    dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-fleet-'));
    const nodeDir = path.join(dir, 'nodes');
    await generateFleet(db.dataSource, nodeDir, FLEET);
    const conf = path.join(dir, 'esi-leap.conf');
    writeLocalConf(
      conf,
      { connection: db.connection, nodeDir },
      {
        DEFAULT: { log_level: 'warning' },
        api: { default_resource_type: 'dummy_node' },
        noauth: { project_id: BENCH_ADMIN, project_name: 'admin', roles: 'admin', projects: PROJECT_ENTRIES.join(',') },
      },
    );
    service = await startService(dir, ['--role=api', '--config-file', conf]);
    browser = await launchBrowser();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws all 1,000 rows and every lease of the month', async () => {
    const page = await browser.page();
    await page.goto(`${service.url}/ui/`);
    await page
      .locator('.row')
      .nth(FLEET.nodes - 1)
      .waitFor({ state: 'attached', timeout: 120_000 });

    const clicked = Date.now();
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/timeline' && r.status() === 200, {
      timeout: 120_000,
    });
    await page.getByRole('button', { name: 'Month' }).click();
    const response = await answered;
    const arrived = Date.now();
    const body = (await response.json()) as { nodes: { leases: unknown[]; offers: unknown[]; busy: unknown[] }[] };
    const leases = body.nodes.reduce((sum, n) => sum + n.leases.length, 0);
    const offers = body.nodes.reduce((sum, n) => sum + n.offers.length, 0);
    // Rendered: the month's bars are in the DOM (the week had fewer).
    await page.waitForFunction(`document.querySelectorAll('rect.lease').length === ${leases}`, undefined, {
      timeout: 120_000,
      polling: 50,
    });
    const drawn = Date.now();

    expect(body.nodes).toHaveLength(FLEET.nodes);
    expect(await page.locator('.row').count()).toBe(FLEET.nodes);
    expect(await page.locator('rect.lease').count()).toBe(leases);
    expect(await page.locator('rect.offer').count()).toBe(offers);
    expect(leases).toBeGreaterThan(10 * FLEET.nodes);
    const renderMs = (await page.evaluate(
      "performance.getEntriesByName('timeline-render', 'measure').map((m) => Math.round(m.duration))",
    )) as number[];
    const figures = {
      nodes: FLEET.nodes,
      leases_drawn: leases,
      offers_drawn: offers,
      response_bytes: (await response.body()).length,
      click_to_response_ms: arrived - clicked,
      response_to_drawn_ms: drawn - arrived,
      click_to_drawn_ms: drawn - clicked,
      in_page_data_to_frame_ms: renderMs[renderMs.length - 1],
    };
    writeFileSync(path.join(SCREENSHOTS, 'render-times.json'), `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(`web console, 1,000 nodes x 30 days: ${JSON.stringify(figures)}\n`);
    await browser.screenshot(page, 'fleet-month');
    expect(page.errors).toEqual([]);
  });
});
