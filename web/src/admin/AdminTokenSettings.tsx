import { useEffect, useId, useRef, useState, type FocusEvent, type FormEvent, type KeyboardEvent } from 'react';
import { useAdminToken } from './adminToken';

/** Where an operator enters the admin token that unlocks sync and monitoring. */
export function AdminTokenSettings() {
  const { token, setToken } = useAdminToken();
  const [draft, setDraft] = useState(token);
  const inputId = useId();
  const details = useRef<HTMLDetailsElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState(false);
  const close = () => details.current?.removeAttribute('open');

  // As a menu does: opening puts the focus in the field; a click anywhere else, or the
  // focus leaving it, closes it; Escape inside it closes it and hands the focus back to the
  // toggle.
  useEffect(() => {
    if (!open) return undefined;
    input.current?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!details.current?.contains(event.target as Node)) close();
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);
  const onKeyDown = (event: KeyboardEvent<HTMLDetailsElement>) => {
    if (event.key !== 'Escape' || !details.current?.open) return;
    close();
    details.current.querySelector('summary')?.focus();
  };
  const onBlur = (event: FocusEvent<HTMLDetailsElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) close();
  };

  const save = (event: FormEvent) => {
    event.preventDefault();
    setToken(draft);
    close();
  };
  const clear = () => {
    setDraft('');
    setToken('');
    close();
  };

  return (
    <details
      className="settings"
      ref={details}
      onToggle={() => setOpen(details.current?.open ?? false)}
      onKeyDown={onKeyDown}
      onBlur={onBlur}
    >
      <summary className="button button--ghost" data-testid="settings-toggle">
        {token ? 'Admin' : 'Settings'}
      </summary>
      <form className="settings__panel" onSubmit={save}>
        <label htmlFor={inputId}>Admin token</label>
        <p className="settings__hint">Unlocks sync controls and monitoring. Kept in this browser only.</p>
        <input
          ref={input}
          id={inputId}
          type="password"
          autoComplete="off"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          data-testid="admin-token-input"
        />
        <div className="settings__actions">
          <button type="submit" className="button button--primary" data-testid="admin-token-save">
            Save
          </button>
          {token && (
            <button type="button" className="button button--ghost" onClick={clear}>
              Sign out
            </button>
          )}
        </div>
      </form>
    </details>
  );
}
