// The JSON list bodies the data-layer benchmark feeds both libraries: a campaigns list in the
// shape mock-server serves (docs/api.md, "Lists"), or a real body saved from it, and versions of
// it that differ in one field, as the server's do after a sync changed one record.

const STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'];
const NAMES = ['Autumn Sale Announcement', 'Loyalty Rewards Promo', 'Flash Sale Update', 'Weekly Newsletter',
  'Abandoned Cart Reminder', 'New Arrivals Spotlight', 'VIP Early Access'];

// A fixed-seed generator (mulberry32), so every run measures the same bytes.
function randomSource(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round4 = (x) => Math.round(x * 1e4) / 1e4;

/**
 * A campaigns list object of `count` items (about 235 bytes each as JSON: 85 make ~20 KB,
 * a heavier page than the server's default 50).
 */
export function campaignsList(count) {
  const random = randomSource(42);
  const items = [];
  for (let i = 0; i < count; i++) {
    const recipients = 20000 + Math.floor(random() * 230000);
    const opens = Math.floor(recipients * (0.15 + random() * 0.2));
    const clicks = Math.floor(opens * (0.05 + random() * 0.12));
    const id = 1 + Math.floor(random() * 300);
    items.push({
      id: `cmp_${String(id).padStart(4, '0')}`,
      name: `${NAMES[id % NAMES.length]} #${id}`,
      status: STATUSES[Math.floor(random() * STATUSES.length)],
      sendTime: new Date(Date.UTC(2026, 9, 31) - Math.floor(random() * 9e9)).toISOString().replace('.000', ''),
      recipients,
      opens,
      clicks,
      revenue: Math.round(random() * 5e6) / 100,
      openRate: round4(opens / recipients),
      clickRate: round4(clicks / recipients),
      updatedAt: '2026-10-31T23:59:59Z',
    });
  }
  return { items, total: 300, limit: count, offset: 0 };
}

/**
 * `count` distinct versions of a list body, as texts with their ETags: version v differs from
 * the base in its first item's `updatedAt` only (a field every list endpoint has).
 * @returns {{ versions: { text: string, etag: string }[] } | { error: string }}
 */
export function listVersions(list, count) {
  if (!Array.isArray(list.items) || list.items.length === 0 || typeof list.items[0].updatedAt !== 'string') {
    return { error: 'the body must be a list {"items": [...]} whose first item has a string updatedAt' };
  }
  const base = Date.parse('2026-10-31T00:00:00Z');
  const versions = [];
  for (let v = 0; v < count; v++) {
    const items = [...list.items];
    items[0] = { ...items[0], updatedAt: new Date(base + v * 1000).toISOString().replace('.000', '') };
    versions.push({ text: JSON.stringify({ ...list, items }), etag: `"bench-v${v}"` });
  }
  return { versions };
}
