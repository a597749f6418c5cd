import { useCallback, useEffect, useRef, useState } from 'react';

export interface PollingState<T> {
  data: T | undefined;
  /** The last poll's error; the last data stays. */
  error: Error | null;
  loading: boolean;
  /** When the last successful poll answered (ms since the epoch). */
  updatedAt: number | null;
  /** Polls now (and restarts the interval). */
  refresh: () => void;
}

export interface PollingOptions {
  intervalMs: number;
  /** When false, nothing is polled and the state is empty. */
  enabled?: boolean;
  /** Polling starts over (state cleared) when this changes, e.g. with the credentials. */
  resetKey?: string;
  /**
   * Hears a failure when a run of failures starts or its message changes, not on every
   * poll, so a server that stays down is reported once rather than every interval.
   */
  onErrorChange?: (error: Error) => void;
}

const emptyState = { data: undefined, error: null, loading: false, updatedAt: null };

/**
 * Calls `poll` now and then `intervalMs` after each answer, keeping the last answer through
 * failures. A new `intervalMs` moves the next poll (to `intervalMs` after the last answer),
 * it does not poll at once: a status that turns active is not asked for twice.
 */
export function usePolling<T>(
  poll: (signal: AbortSignal) => Promise<T>,
  { intervalMs, enabled = true, resetKey = '', onErrorChange }: PollingOptions,
): PollingState<T> {
  const [state, setState] = useState<Omit<PollingState<T>, 'refresh'>>({ ...emptyState, loading: enabled });
  const [round, setRound] = useState(0);
  // The latest callbacks and interval, read when a poll runs or is scheduled, so new
  // function identities don't restart polling.
  const pollRef = useRef(poll);
  const onErrorChangeRef = useRef(onErrorChange);
  const intervalRef = useRef(intervalMs);
  pollRef.current = poll;
  onErrorChangeRef.current = onErrorChange;
  intervalRef.current = intervalMs;
  const reportedError = useRef<string | null>(null);
  // Schedules the next poll for the current interval (nothing while one runs: it schedules
  // the next itself when it ends).
  const reschedule = useRef(() => {});

  useEffect(() => {
    setState({ ...emptyState, loading: enabled });
    reportedError.current = null;
  }, [enabled, resetKey]);

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let polling = false;
    let answeredAt = 0;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(run, Math.max(0, answeredAt + intervalRef.current - Date.now()));
    };
    const run = async () => {
      polling = true;
      setState((previous) => ({ ...previous, loading: true }));
      try {
        const data = await pollRef.current(controller.signal);
        if (controller.signal.aborted) return;
        reportedError.current = null;
        setState({ data, error: null, loading: false, updatedAt: Date.now() });
      } catch (caught) {
        if (controller.signal.aborted) return;
        const error = caught instanceof Error ? caught : new Error(String(caught));
        setState((previous) => ({ ...previous, error, loading: false }));
        if (reportedError.current !== error.message) {
          reportedError.current = error.message;
          onErrorChangeRef.current?.(error);
        }
      } finally {
        polling = false;
      }
      answeredAt = Date.now();
      schedule();
    };
    reschedule.current = () => {
      if (!polling) schedule();
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
      reschedule.current = () => {};
    };
  }, [enabled, resetKey, round]);

  useEffect(() => {
    reschedule.current();
  }, [intervalMs]);

  const refresh = useCallback(() => setRound((value) => value + 1), []);
  return { ...state, refresh };
}
