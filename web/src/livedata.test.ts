import { describe, expect, it } from 'vitest';
import { DEFAULT_STALE_THRESHOLD_MS, staleThresholdFromUrl } from './livedata';

describe('staleThresholdFromUrl', () => {
  it('reads ?stale=<ms>', () => {
    expect(staleThresholdFromUrl('?stale=2000')).toBe(2000);
    expect(staleThresholdFromUrl('?view=x&stale=150')).toBe(150);
  });

  it('falls back to five minutes when absent or not a positive whole number', () => {
    for (const search of ['', '?stale=', '?stale=abc', '?stale=-5', '?stale=0', '?stale=1.5']) {
      expect(staleThresholdFromUrl(search)).toBe(DEFAULT_STALE_THRESHOLD_MS);
    }
    expect(DEFAULT_STALE_THRESHOLD_MS).toBe(300_000);
  });
});
