import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AdminTokenProvider } from './admin/adminToken';
import { LiveDataProvider } from './livedata';
import { ToastProvider } from './toasts/ToastProvider';
import './styles.css';

function BootScreen({ children }: { children: string }) {
  return (
    <div className="boot-screen" data-testid="boot-screen">
      <span className="brand__mark" aria-hidden="true" />
      <p>{children}</p>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LiveDataProvider
      loading={<BootScreen>Loading the dashboard…</BootScreen>}
      renderError={(message) => <BootScreen>{`The dashboard could not start: ${message}`}</BootScreen>}
    >
      <AdminTokenProvider>
        <ToastProvider>
          <App />
        </ToastProvider>
      </AdminTokenProvider>
    </LiveDataProvider>
  </StrictMode>,
);
