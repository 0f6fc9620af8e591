const KEY = 'shardtable.console.history';
const MAX = 50;

/** The queries run from this browser, newest first, kept in localStorage (at most 50, no repeats). */
export function loadHistory(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((q): q is string => typeof q === 'string') : [];
  } catch {
    return [];
  }
}

export function remember(sql: string): string[] {
  const history = [sql, ...loadHistory().filter((q) => q !== sql)].slice(0, MAX);
  try {
    localStorage.setItem(KEY, JSON.stringify(history));
  } catch {
    // storage full or disabled: the history lasts this page only
  }
  return history;
}

export function clearHistory(): void {
  localStorage.removeItem(KEY);
}
