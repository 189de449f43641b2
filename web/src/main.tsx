import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { restoreSession } from './auth/session';
import { ApiError } from './api/client';
import { restoreLanguage } from './i18n';
// Devanagari for devices without it, fetched only when Hindi text is on screen (unicode-range).
import '@fontsource/noto-sans-devanagari/400.css';
import '@fontsource/noto-sans-devanagari/700.css';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Client errors (4xx) do not get better by retrying.
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
    // A change (booking, paying, cancelling) is sent at once, online or not: offline it fails
    // with "Cannot reach HealthTech" and the person decides to retry. (TanStack's default
    // pauses it, showing "Booking…" until the connection returns, then books unasked.)
    mutations: { networkMode: 'always', retry: false },
  },
});

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      /* the app works without it */
    });
  });
}

Promise.allSettled([restoreSession(), restoreLanguage()]).finally(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </StrictMode>,
  );
});
