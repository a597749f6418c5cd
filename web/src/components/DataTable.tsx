import { isValidElement, type ReactNode } from 'react';
import { nextSort, parseSort } from './sort';

export interface Column<Item> {
  /** The item's field, which is also the API's sort key. */
  field: keyof Item & string;
  label: string;
  render: (item: Item) => ReactNode;
  /** Right-aligned, and sorted largest first on the first click. */
  numeric?: boolean;
  /** Dates sort newest first on the first click too. */
  startDescending?: boolean;
}

interface DataTableProps<Item> {
  caption: string;
  columns: Column<Item>[];
  items: Item[];
  rowKey: (item: Item) => string;
  sort: string;
  onSortChange: (sort: string) => void;
  /**
   * While the first page loads: this many rows of placeholders, the height the page's rows
   * will have (every row is one line high), so nothing below moves when they arrive.
   */
  loadingRows?: number;
  /** The rows shown belong to the previous order, filter or page, while the new one loads. */
  outdated?: boolean;
  /** Keys of rows a live update just changed: marked for a moment. */
  changed?: ReadonlySet<string>;
}

export function DataTable<Item>({
  caption,
  columns,
  items,
  rowKey,
  sort,
  onSortChange,
  loadingRows = 0,
  outdated = false,
  changed,
}: DataTableProps<Item>) {
  const order = parseSort(sort);
  const loading = outdated || (items.length === 0 && loadingRows > 0);
  return (
    // The wrapper scrolls sideways on narrow screens instead of squeezing the columns. Its
    // name differs from its section's, so the two regions can be told apart.
    <div
      className={outdated ? 'table-scroll table-scroll--outdated' : 'table-scroll'}
      tabIndex={0}
      role="region"
      aria-label={`${caption} table`}
      aria-busy={loading}
    >
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const active = order.field === column.field;
              const direction = active ? (order.descending ? 'descending' : 'ascending') : undefined;
              const startDescending = column.startDescending ?? column.numeric ?? false;
              return (
                <th
                  key={column.field}
                  scope="col"
                  aria-sort={direction ?? 'none'}
                  className={column.numeric ? 'numeric' : undefined}
                >
                  <button
                    type="button"
                    className={`sort-button${active ? ' sort-button--active' : ''}`}
                    data-testid={`sort-${column.field}`}
                    onClick={() => onSortChange(nextSort(sort, column.field, startDescending))}
                  >
                    {column.label}
                    <span className="sort-button__arrow" aria-hidden="true">
                      {active ? (order.descending ? '▼' : '▲') : '↕'}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {loading &&
            Array.from({ length: loadingRows }, (_, index) => (
              <tr key={index} className="data-table__placeholder" aria-hidden="true">
                {columns.map((column) => (
                  <td key={column.field} className={column.numeric ? 'numeric' : undefined}>
                    <span className="skeleton__line" />
                  </td>
                ))}
              </tr>
            ))}
          {items.map((item) => (
            <tr
              key={rowKey(item)}
              data-testid="row"
              className={changed?.has(rowKey(item)) ? 'data-table__row--changed' : undefined}
            >
              {columns.map((column) => (
                <td key={column.field} className={column.numeric ? 'numeric' : undefined}>
                  {column.render(item)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * What the reader sees of a row, as text to compare: each column's rendering, reduced to its
 * text and the plain values of its elements (a badge's status, a cell's title). Two rows
 * that render alike compare equal, whatever else of their items differs.
 */
export function shownOf<Item>(columns: readonly Column<Item>[], item: Item): string {
  return columns.map((column) => textOf(column.render(item))).join('\u0001');
}

function textOf(node: ReactNode): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'bigint') return String(node);
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (isValidElement<Record<string, unknown>>(node)) {
    const { children, ...props } = node.props;
    const plain = Object.entries(props).filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value));
    const type = typeof node.type === 'string' ? node.type : (node.type as { name?: string }).name ?? '';
    return `<${type}${JSON.stringify(plain)}>${textOf(children as ReactNode)}`;
  }
  return '';
}
