import { useState, type ReactNode } from 'react';
import type { EndpointName } from '@livedata/wasm';
import type { ListPage } from '../api/types';
import { DataTable, shownOf, type Column } from '../components/DataTable';
import { EmptyState, LoadFailure } from '../components/EmptyState';
import { Pager } from '../components/Pager';
import { SectionCard } from '../components/SectionCard';
import { StatisticsAge } from '../components/StatisticsAge';
import { StatusFilter } from '../components/StatusFilter';
import { useChangedRows } from '../hooks/useChangedRows';
import { useLiveData } from '../hooks/useLiveData';

export interface ListSectionProps<Item> {
  endpoint: Exclude<EndpointName, 'overview'>;
  title: string;
  /** Plural, lower case: "campaigns". */
  noun: string;
  columns: Column<Item>[];
  statuses: readonly string[];
  defaultSort: string;
  pageSize?: number;
  wide?: boolean;
}

/** A list endpoint as a card: a table sorted and filtered by the API, one page at a time. */
export function ListSection<Item extends { id: string }>({
  endpoint,
  title,
  noun,
  columns,
  statuses,
  defaultSort,
  pageSize = 10,
  wide,
}: ListSectionProps<Item>) {
  const [sort, setSort] = useState(defaultSort);
  const [status, setStatus] = useState('');
  const [offset, setOffset] = useState(0);
  const result = useLiveData<ListPage<Item>>(endpoint, { sort, status, limit: pageSize, offset });
  const page = result.data;

  // A live update can shrink the list under the page shown (rows deleted upstream, or moved
  // out of the filter): the API then answers a page past the end with no items. The view
  // moves back to the last page there is, rather than saying the list is empty. Adjusted
  // while rendering (React's pattern for state derived from a result), so the empty page is
  // never painted.
  if (page && !result.placeholder && !result.fallback && page.total > 0 && offset >= page.total) {
    setOffset(Math.floor((page.total - 1) / pageSize) * pageSize);
  }

  // A new order or filter shows its first page.
  const changeSort = (next: string) => {
    setSort(next);
    setOffset(0);
  };
  const changeStatus = (next: string) => {
    setStatus(next);
    setOffset(0);
  };

  const table = (items: Item[], changed?: ReadonlySet<string>) => (
    <DataTable
      caption={title}
      columns={columns}
      items={items}
      rowKey={rowId}
      sort={sort}
      onSortChange={changeSort}
      loadingRows={pageSize}
      outdated={result.placeholder}
      changed={changed}
    />
  );
  let body;
  if (page === undefined) {
    body = table([]);
  } else if (result.fallback && result.error) {
    // A page past the first that fails has no pager (a failure has no pages): the way back.
    const backToFirst =
      offset > 0 ? (
        <button type="button" className="button button--ghost" onClick={() => setOffset(0)}>
          First page
        </button>
      ) : undefined;
    body = (
      <LoadFailure
        what={title}
        message={result.error.message}
        onRetry={() => void result.refetch()}
        otherAction={backToFirst}
      />
    );
  } else {
    const empty = <EmptyState>{status ? `No ${noun} with this status.` : `No ${noun} yet.`}</EmptyState>;
    body = (
      <Rows
        items={page.items}
        // What a live update changed is news only among this view's own rows.
        current={!result.placeholder && !result.fallback}
        shown={(item) => shownOf(columns, item)}
        view={`${sort}|${status}|${offset}`}
        empty={empty}
        table={table}
      />
    );
  }

  return (
    <SectionCard
      id={endpoint}
      title={title}
      // A fallback knows nothing of the statistics: their age stays unsaid, not "never".
      subtitle={<StatisticsAge asOf={page === undefined || result.fallback ? undefined : (page.statisticsAsOf ?? null)} />}
      wide={wide}
      freshness={result}
      actions={<StatusFilter label={`Filter ${noun} by status`} statuses={statuses} value={status} onChange={changeStatus} />}
      footer={
        // Held in place while the first page loads, so the card keeps its final height; none
        // for an empty list or a failure, which have no pages (an empty band otherwise). The
        // page asked for, not the one shown: while a new page loads, or after it failed, the
        // next step goes on from where the user is.
        page?.total === 0 && !result.placeholder ? undefined : (
          <Pager
            offset={offset}
            limit={pageSize}
            total={result.placeholder ? undefined : page?.total}
            noun={noun}
            onOffsetChange={setOffset}
          />
        )
      }
    >
      {body}
    </SectionCard>
  );
}

const rowId = (item: { id: string }) => item.id;

interface RowsProps<Item> {
  items: Item[];
  /** The rows are the current view's own (not a placeholder or a stand-in). */
  current: boolean;
  /** What the reader sees of a row (shownOf). */
  shown: (item: Item) => string;
  /** The order, filter and page the rows are of. */
  view: string;
  empty: ReactNode;
  table: (items: Item[], changed: ReadonlySet<string>) => ReactNode;
}

/**
 * The page's rows, with those a live update just changed marked, or a word for their
 * absence. A component of its own so that items of a shape the dashboard does not know fail
 * inside the card's boundary (SectionCard), not in the section around it.
 */
function Rows<Item extends { id: string }>({ items, current, shown, view, empty, table }: RowsProps<Item>) {
  const changed = useChangedRows(current ? items : undefined, rowId, shown, view);
  return <>{items.length === 0 ? empty : table(items, changed)}</>;
}
