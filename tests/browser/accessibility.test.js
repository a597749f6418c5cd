// What every user meets first, judged by tools no one here wrote: axe-core (WCAG 2.1 A and
// AA, plus its best practices) finds no violation in any state the dashboard reaches, the
// layout does not shift while it loads (cumulative layout shift as Chromium reports it,
// under 0.1, "good" by the Web Vitals definition), and every control works from the keyboard
// with a visible focus. Debian's Chromium, driven by playwright-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { launchChromium, startDashboardServer } from './browser.mjs';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const DATA_SECTIONS = ['campaigns', 'flows', 'forms', 'segments'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const CLS_LIMIT = 0.1;

let server;
let browser;

before(async () => {
  server = await startDashboardServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Cumulative layout shift as the Web Vitals define it: shifts not caused by recent input,
// grouped in session windows (gaps under 1 s, at most 5 s long); the largest window counts.
// Installed before the page's own scripts, so it sees every shift from the first paint.
function observeLayoutShift() {
  window.__layoutShifts = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) {
        window.__layoutShifts.push({
          value: entry.value,
          startTime: entry.startTime,
          sources: (entry.sources ?? []).map((source) => source.node?.outerHTML?.slice(0, 120) ?? '(gone)'),
        });
      }
    }
  }).observe({ type: 'layout-shift', buffered: true });
}

async function cumulativeLayoutShift(page) {
  const shifts = await page.evaluate(() => window.__layoutShifts);
  let worst = 0;
  let current = 0;
  let windowStart = -Infinity;
  let last = -Infinity;
  for (const shift of shifts) {
    if (shift.startTime - last > 1000 || shift.startTime - windowStart > 5000) {
      current = 0;
      windowStart = shift.startTime;
    }
    current += shift.value;
    last = shift.startTime;
    worst = Math.max(worst, current);
  }
  return { cls: worst, shifts };
}

async function openDashboard({ query = '', width = 1280, height = 900, signedIn = true } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.addInitScript(observeLayoutShift);
  await page.goto(`${server.url}/${query ? `?${query}` : ''}${signedIn ? `#token=${server.token}` : ''}`);
  return page;
}

async function waitForAllSections(page) {
  for (const name of DATA_SECTIONS) {
    await page.getByTestId(`section-${name}`).getByTestId('row').first().waitFor({ timeout: 20000 });
  }
  await page.getByTestId('section-overview').locator('svg').first().waitFor({ timeout: 20000 });
}

async function axeViolations(page) {
  await page.addScriptTag({ path: AXE_SOURCE });
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.slice(0, 5).map((node) => `${node.target.join(' ')}: ${node.failureSummary}`),
  }));
}

function assertNoViolations(violations, state) {
  if (violations.length > 0) assert.fail(`axe-core violations (${state}):\n${JSON.stringify(violations, null, 2)}`);
}

test('the loaded dashboard has no accessibility violations and does not shift as it loads', async () => {
  const page = await openDashboard();
  await waitForAllSections(page);
  await page.waitForTimeout(500); // late shifts (fonts, the last section) count too
  const { cls, shifts } = await cumulativeLayoutShift(page);
  assert.ok(cls < CLS_LIMIT, `cumulative layout shift ${cls.toFixed(3)} >= ${CLS_LIMIT}: ${JSON.stringify(shifts, null, 2)}`);
  console.log(`# layout shift from first paint to all sections loaded: ${cls.toFixed(4)}`);
  assertNoViolations(await axeViolations(page), 'loaded');
  await page.close();
});

test('a phone-width dashboard has no accessibility violations and does not shift as it loads', async () => {
  const page = await openDashboard({ width: 390, height: 844 });
  await waitForAllSections(page);
  await page.waitForTimeout(500);
  const { cls, shifts } = await cumulativeLayoutShift(page);
  assert.ok(cls < CLS_LIMIT, `cumulative layout shift ${cls.toFixed(3)} >= ${CLS_LIMIT}: ${JSON.stringify(shifts, null, 2)}`);
  assertNoViolations(await axeViolations(page), 'phone width');
  // Names have two lines, with no tooltip to read on touch: most are shown whole (on one
  // line, 41 of the 45 shown were cut after a dozen characters).
  const { names, cut } = await page.evaluate(() => {
    const all = [...document.querySelectorAll('.cell-name')];
    const clipped = all.filter((name) => {
      const cell = name.closest('td');
      return cell.scrollWidth > cell.clientWidth + 1 || name.scrollHeight > name.clientHeight + 1;
    });
    return { names: all.length, cut: clipped.length };
  });
  assert.ok(names > 20 && cut < names / 2, `${cut} of ${names} names cut at 390 px`);
  // The admin panel opens within the screen, though its button is not at the screen's edge.
  await page.getByTestId('settings-toggle').click();
  const panel = await page.locator('.settings__panel').boundingBox();
  assert.ok(panel && panel.x >= 0 && panel.x + panel.width <= 390, `the admin panel at ${JSON.stringify(panel)}`);
  await page.close();
});

test('at 320 px (WCAG reflow) the page does not scroll sideways and the sync status is in words', async () => {
  const page = await openDashboard({ width: 320, height: 700 });
  await waitForAllSections(page);
  // Tables may scroll inside their own box (two-dimensional content); the page may not.
  const { pageWidth, viewport } = await page.evaluate(() => ({
    pageWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
  assert.ok(pageWidth <= viewport, `the page is ${pageWidth} px wide in a ${viewport} px viewport`);
  // The sync's state is told in words a sighted user sees, not by the dot's colour alone.
  const text = page.getByTestId('sync-status').locator('.sync-status__text');
  await text.filter({ hasText: /sync/i }).waitFor({ timeout: 20000 });
  const box = await text.boundingBox();
  assert.ok(box && box.width > 40 && box.height > 10, `the sync status text is ${JSON.stringify(box)}`);
  for (const name of ['sync-button', 'refresh-button']) {
    const button = await page.getByTestId(name).boundingBox();
    assert.ok(button && button.x >= 0 && button.x + button.width <= viewport, `${name} at ${JSON.stringify(button)}`);
  }
  // A table scrolled sideways keeps its names in view, over the figures passing under them,
  // and nothing shows beside them at the card's edge.
  const names = await page.getByTestId('section-campaigns').locator('.table-scroll').evaluate((scroller) => {
    const cell = () => scroller.querySelector('tbody td');
    window.scrollBy(0, cell().getBoundingClientRect().top - 100);
    const before = cell().getBoundingClientRect();
    scroller.scrollLeft = 200;
    const after = cell().getBoundingClientRect();
    const edge = document.elementFromPoint(scroller.getBoundingClientRect().left + 2, after.top + after.height / 2);
    const middle = document.elementFromPoint(after.left + after.width / 2, after.top + after.height / 2);
    return { scrolled: scroller.scrollLeft, moved: after.left - before.left, onTop: cell().contains(edge) && cell().contains(middle) };
  });
  assert.ok(names.scrolled > 0, 'the campaigns table scrolls sideways at 320 px');
  assert.deepEqual({ moved: names.moved, onTop: names.onTop }, { moved: 0, onTop: true }, JSON.stringify(names));
  await page.close();
});

test('the dashboard signed out has no accessibility violations', async () => {
  const page = await openDashboard({ signedIn: false });
  await waitForAllSections(page);
  assertNoViolations(await axeViolations(page), 'signed out');
  await page.close();
});

test('the error state has no accessibility violations', async () => {
  const page = await openDashboard();
  await waitForAllSections(page);
  await server.faults([{ path: '/api/campaigns', status: 503, times: -1 }]);
  try {
    await page.getByTestId('refresh-button').click();
    await page.getByTestId('toast').first().waitFor({ timeout: 30000 });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="section-campaigns"] [data-state="error"]'),
      null,
      { timeout: 30000 },
    );
    assertNoViolations(await axeViolations(page), 'error');
  } finally {
    await server.clearFaults();
  }
  await page.close();
});

test('the stale state has no accessibility violations', async () => {
  await server.faults([{ path: '/api/changes', status: 503, times: -1 }]);
  try {
    const page = await openDashboard({ query: 'stale=1500' });
    await waitForAllSections(page);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="section-campaigns"] [data-state="stale"]'),
      null,
      { timeout: 15000 },
    );
    assertNoViolations(await axeViolations(page), 'stale');
    await page.close();
  } finally {
    await server.clearFaults();
  }
});

// The element with focus and whether the focus is drawn (an outline or a ring of box-shadow).
async function focused(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow && style.boxShadow !== 'none';
    return {
      testId: element.getAttribute('data-testid'),
      tag: element.tagName,
      name: element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40),
      visible: Boolean(outline || ring),
    };
  });
}

test('every control is reached with Tab, shows its focus, and works from the keyboard', async () => {
  const page = await openDashboard();
  await waitForAllSections(page);
  const seen = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (!now) continue;
    assert.ok(now.visible, `no visible focus on ${JSON.stringify(now)}`);
    seen.push(now);
  }
  const reached = new Set(seen.map((entry) => entry.testId).filter(Boolean));
  for (const control of ['refresh-button', 'chart-plot', 'status-filter', 'sort-', 'settings-toggle']) {
    assert.ok([...reached].some((id) => id.startsWith(control)), `${control} is not reached with Tab: ${[...reached]}`);
  }
  assert.ok(seen.some((entry) => entry.tag === 'BUTTON' && entry.name === 'Next'), 'the pager is reached with Tab');

  // The chart from the keyboard: its focus shows the last day's figure, the arrows move it.
  const plot = page.getByTestId('chart-plot');
  await plot.focus();
  const readout = page.getByTestId('chart-readout');
  const lastDay = await readout.innerText();
  await page.keyboard.press('ArrowLeft');
  assert.notEqual(await readout.innerText(), lastDay);
  await page.keyboard.press('End');
  assert.equal(await readout.innerText(), lastDay);

  // Sort from the keyboard: Enter on a sortable header changes the order it announces.
  const header = page.getByTestId('section-campaigns').locator('[data-testid^="sort-"]').first();
  await header.focus();
  const sortBefore = await header.locator('xpath=ancestor-or-self::th').getAttribute('aria-sort');
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    ([before]) => {
      const th = document.querySelector('[data-testid="section-campaigns"] [data-testid^="sort-"]')?.closest('th');
      return th && th.getAttribute('aria-sort') !== before;
    },
    [sortBefore],
    { timeout: 5000 },
  );

  // The pager from the keyboard: Enter on Next moves to the next page.
  const campaigns = page.getByTestId('section-campaigns');
  const firstRow = await campaigns.getByTestId('row').first().innerText();
  await campaigns.getByRole('button', { name: 'Next' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (before) => document.querySelector('[data-testid="section-campaigns"] [data-testid="row"]')?.innerText !== before,
    firstRow,
    { timeout: 10000 },
  );

  // The status filter from the keyboard.
  const filter = campaigns.getByTestId('status-filter');
  await filter.focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="section-campaigns"] [data-testid="status-filter"]')?.value !== '',
    null,
    { timeout: 5000 },
  );
  await page.close();
});

test('a toast is dismissed from the keyboard', async () => {
  const page = await openDashboard();
  await waitForAllSections(page);
  await server.faults([{ path: '/api/flows', status: 503, times: -1 }]);
  try {
    await page.getByTestId('refresh-button').focus();
    await page.keyboard.press('Enter');
    const toast = page.getByTestId('toast').first();
    await toast.waitFor({ timeout: 30000 });
    await toast.getByRole('button').first().focus();
    assert.ok((await focused(page)).visible, 'the dismiss button shows its focus');
    await page.keyboard.press('Enter');
    await toast.waitFor({ state: 'detached', timeout: 5000 });
  } finally {
    await server.clearFaults();
  }
  await page.close();
});
