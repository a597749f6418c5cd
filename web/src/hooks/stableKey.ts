/**
 * A key that is equal for equal parameter objects, whatever their key order or identity,
 * so hooks refetch when the parameters change and not on every render. Absent values
 * (undefined, null, '') are left out, as the API treats them as not given.
 */
export function stableKey(params: object | undefined): string {
  if (!params) return '{}';
  const present = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(present));
}
