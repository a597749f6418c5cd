// The API's sort parameter: a field name, prefixed with '-' for descending order.

export interface SortOrder {
  field: string;
  descending: boolean;
}

export function parseSort(sort: string): SortOrder {
  return sort.startsWith('-') ? { field: sort.slice(1), descending: true } : { field: sort, descending: false };
}

export function formatSort({ field, descending }: SortOrder): string {
  return descending ? `-${field}` : field;
}

/**
 * The order after clicking a column's header: the active column flips direction; another
 * column starts in its natural direction (largest or newest first for numbers and dates).
 */
export function nextSort(current: string, field: string, startDescending: boolean): string {
  const order = parseSort(current);
  if (order.field === field) return formatSort({ field, descending: !order.descending });
  return formatSort({ field, descending: startDescending });
}
