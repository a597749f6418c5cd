import { useEffect, useRef, useState } from 'react';

/** How long a changed row stays marked: long enough to be seen, short enough to be news. */
export const CHANGED_ROW_MS = 2500;

const NONE: ReadonlySet<string> = new Set();

/**
 * The keys of the rows a live update changed or brought in, marked for CHANGED_ROW_MS: the
 * rows of one `view` (an order, filter and page) compared with that view's previous rows.
 * A new view, and the first rows, mark nothing: only news within what the reader is
 * looking at counts. `items` undefined (loading, or rows of another view) compares nothing.
 */
export function useChangedRows<Item>(
  items: readonly Item[] | undefined,
  rowKey: (item: Item) => string,
  view: string,
): ReadonlySet<string> {
  const previous = useRef<{ view: string; rows: Map<string, string> } | null>(null);
  const [changed, setChanged] = useState<ReadonlySet<string>>(NONE);

  useEffect(() => {
    if (items === undefined) return;
    const rows = new Map(items.map((item) => [rowKey(item), JSON.stringify(item)]));
    const before = previous.current?.view === view ? previous.current.rows : null;
    previous.current = { view, rows };
    if (before === null) {
      setChanged(NONE);
      return;
    }
    const news = new Set([...rows].filter(([key, row]) => before.get(key) !== row).map(([key]) => key));
    setChanged(news.size === 0 ? NONE : news);
    if (news.size === 0) return;
    const timer = setTimeout(() => setChanged(NONE), CHANGED_ROW_MS);
    return () => clearTimeout(timer);
    // rowKey is read on change of the rows only: a new function each render changes nothing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items, view]);

  return changed;
}
