/**
 * The dashboard in a real headless browser (Debian's chromium driven by playwright-core): sign in
 * through the form, the page loads its data, the charts render the scripted run's jobs, and the
 * screenshot (artifacts/dashboard.png, git-ignored) is not blank. Skipped, saying why, where no
 * chromium is installed (`apt-get install chromium`; CI installs it in .ci/run).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath } from '../../dev/testing/env.js';
import { startStack, type Stack } from '../../dev/testing/stack.js';
import { testDatabase } from '../../dev/testing/root-hooks.js';
import { scriptedRun, testFlow } from '../../dev/testing/observability-support.js';

const CANDIDATES = [chromiumPath(), '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
export const ARTIFACTS = path.resolve('artifacts');

/** The little of the page's DOM these checks use (this project's tsconfig has no DOM types). */
interface PageImage {
  src: string;
  width: number;
  height: number;
  decode(): Promise<void>;
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    drawImage(image: PageImage, x: number, y: number): void;
    getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
  };
}
interface PageGlobals {
  Image: new () => PageImage;
  document: { createElement(tag: 'canvas'): PageCanvas };
}

describe('dashboard in headless chromium', function () {
  this.timeout(90_000);
  let stack: Stack | undefined;
  let browser: Browser | undefined;

  before(async function () {
    const executablePath = CANDIDATES.find((p) => fs.existsSync(p));
    if (!executablePath) {
      console.log('    SKIPPED: no chromium found (looked at %s); install it with `apt-get install chromium`', CANDIDATES.join(', '));
      this.skip();
    }
    stack = await startStack({ databaseUrl: await testDatabase('dashboard_browser'), flows: [testFlow] });
    await scriptedRun(stack);
    // launch() gives the browser a fresh temporary profile (user-data-dir) and removes it at close.
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in with a form, keeps the token out of the URL and sets an HttpOnly SameSite=Strict session cookie', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${stack!.sidecarUrl}/dashboard`);
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    assert.match((await page.textContent('[role=alert]')) ?? '', /not valid/);
    await page.fill('#token', stack!.config.adminToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('body[data-loaded="true"]');
    assert.equal(page.url(), `${stack!.sidecarUrl}/dashboard`);
    const [cookie] = await context.cookies();
    assert.equal(cookie?.name, 'sidecar_session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.ok(!cookie?.value.includes(stack!.config.adminToken));
    await context.close();
  });

  it('renders the charts with the scripted run and a screenshot that is not blank', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('pageerror', (e) => failed.push(String(e)));
    await page.goto(`${stack!.sidecarUrl}/dashboard`);
    await page.fill('#token', stack!.config.adminToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('body[data-loaded="true"]');
    assert.deepEqual(failed, []);

    // Four charts for the last hour, none of them "no data yet"; the day has its four as well.
    assert.equal(await page.locator('#charts-hour canvas').count(), 4);
    assert.equal(await page.locator('#charts-hour .muted').count(), 0);
    assert.equal(await page.locator('#charts-day canvas').count(), 4);
    assert.match((await page.textContent('body')) ?? '', /PermanentError: test: customer has no email/);
    assert.match((await page.textContent('body')) ?? '', /orders\/create/);

    // Coloured pixels: series lines are drawn in colour, the axes and grid in grey.
    const coloured = await page.$$eval('#charts-hour canvas', (canvases) =>
      canvases.map((element) => {
        const canvas = element as unknown as PageCanvas;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
          if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n += 1;
        }
        return n;
      }),
    );
    assert.ok(coloured[0]! > 20, `throughput chart coloured pixels: ${coloured.join(', ')}`);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'dashboard.png');
    const png = await page.screenshot({ path: file, fullPage: true });
    // Pixel variance of the screenshot, decoded by the browser itself.
    const variance = await page.evaluate(async (b64) => {
      // Runs in the page (no DOM types in this project's tsconfig).
      const g = globalThis as unknown as PageGlobals;
      const img = new g.Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = g.document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      let sum = 0;
      let sq = 0;
      const n = data.length / 4;
      for (let i = 0; i < data.length; i += 4) {
        const v = (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
        sum += v;
        sq += v * v;
      }
      return sq / n - (sum / n) ** 2;
    }, png.toString('base64'));
    assert.ok(variance > 100, `screenshot pixel variance ${variance}`);
    console.log(`    screenshot: ${path.relative(process.cwd(), file)} (${png.length} bytes, variance ${variance.toFixed(0)})`);
    await context.close();
  });
});
