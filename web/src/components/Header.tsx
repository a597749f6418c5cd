import { AdminTokenSettings } from '../admin/AdminTokenSettings';
import { SyncStatusControl } from '../admin/SyncStatusControl';
import { useAdminToken } from '../admin/adminToken';
import { ConnectionIndicator } from './ConnectionIndicator';
import { RefreshButton } from './RefreshButton';

export function Header() {
  const { token } = useAdminToken();
  return (
    <header className="app-header">
      <div className="app-header__inner">
        {/* The page's one level-one heading: the product and what it shows. */}
        <h1 className="brand__heading">
          <a className="brand" href="#overview">
            <span className="brand__mark" aria-hidden="true" />
            <span className="brand__name">livedata</span>
            <span className="brand__tagline">Email analytics</span>
          </a>
        </h1>
        <div className="app-header__actions">
          <ConnectionIndicator />
          {token && <SyncStatusControl token={token} />}
          <RefreshButton />
          <AdminTokenSettings />
        </div>
      </div>
    </header>
  );
}
