import { useEffect, useRef, useState } from 'react';

/** How long a changed row stays marked: long enough to be seen, short enough to be news. */
export const CHANGED_ROW_MS = 2500;

const NONE: ReadonlySet<string> = new Set();

/**
 * The keys of the rows a live update changed or brought in, each marked for CHANGED_ROW_MS
 * from the update that changed it: the rows of one `view` (an order, filter and page)
 * compared with that view's previous rows by `shown`, what the reader sees of a row (a
 * change below what the table shows is no news). A new view, and the first rows, mark
 * nothing: only news within what the reader is looking at counts. An update with no news
 * leaves the marks running. `items` undefined (loading, or rows of another view) compares
 * nothing.
 */
export function useChangedRows<Item>(
  items: readonly Item[] | undefined,
  rowKey: (item: Item) => string,
  shown: (item: Item) => string,
  view: string,
): ReadonlySet<string> {
  const previous = useRef<{ view: string; rows: Map<string, string> } | null>(null);
  // When each marked row's mark ends (ms, performance.now()).
  const until = useRef(new Map<string, number>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [changed, setChanged] = useState<ReadonlySet<string>>(NONE);

  useEffect(() => () => clearTimeout(timer.current), []);

  useEffect(() => {
    if (items === undefined) return;
    const rows = new Map(items.map((item) => [rowKey(item), shown(item)]));
    const before = previous.current?.view === view ? previous.current.rows : null;
    previous.current = { view, rows };
    if (before === null) {
      clearTimeout(timer.current);
      until.current.clear();
      setChanged(NONE);
      return;
    }
    const now = performance.now();
    for (const [key, row] of rows) {
      if (before.get(key) !== row) until.current.set(key, now + CHANGED_ROW_MS);
    }
    // Marks end in the order they began: one timer, for the earliest end, then the next.
    const expire = () => {
      const at = performance.now();
      for (const [key, end] of until.current) if (end <= at) until.current.delete(key);
      setChanged(until.current.size === 0 ? NONE : new Set(until.current.keys()));
      const next = Math.min(...until.current.values());
      timer.current = until.current.size === 0 ? undefined : setTimeout(expire, next - at);
    };
    clearTimeout(timer.current);
    expire();
    // rowKey and shown are read on change of the rows only: new functions each render change nothing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items, view]);

  return changed;
}
