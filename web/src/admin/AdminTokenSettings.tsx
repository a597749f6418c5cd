import { useId, useRef, useState, type FormEvent } from 'react';
import { useAdminToken } from './adminToken';

/** Where an operator enters the admin token that unlocks sync and monitoring. */
export function AdminTokenSettings() {
  const { token, setToken } = useAdminToken();
  const [draft, setDraft] = useState(token);
  const inputId = useId();
  const details = useRef<HTMLDetailsElement>(null);
  const close = () => details.current?.removeAttribute('open');

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
    <details className="settings" ref={details}>
      <summary className="button button--ghost" data-testid="settings-toggle">
        {token ? 'Admin' : 'Settings'}
      </summary>
      <form className="settings__panel" onSubmit={save}>
        <label htmlFor={inputId}>Admin token</label>
        <p className="settings__hint">Unlocks sync controls and monitoring. Kept in this browser only.</p>
        <input
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
