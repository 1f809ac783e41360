/** Routes and app-wide providers. New sections (library, store, credits) add a route here. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Suspense, lazy } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { ApiError } from "./api/client";
import { AgentsPage } from "./routes/AgentsPage";
import { ApiKeysPage } from "./routes/ApiKeysPage";
import { AuthPage } from "./routes/AuthPage";
import { CredentialsPage } from "./routes/credentials/CredentialsPage";
import { OAuthCallbackPage } from "./routes/credentials/OAuthCallbackPage";
import { CreditsPage } from "./routes/credits/CreditsPage";
import { Layout, RequireAuth } from "./routes/Layout";
import { NotFound } from "./routes/NotFound";
import { SchedulesPage } from "./routes/SchedulesPage";
import { ErrorBoundary } from "./ui/ErrorBoundary";
import { Toasts } from "./ui/Toasts";

// The editor (React Flow and its panels) loads when first opened, not with the login page.
const EditorPage = lazy(() => import("./routes/EditorPage").then((m) => ({ default: m.EditorPage })));

function LazyEditor() {
  return (
    <Suspense fallback={<Loading />}>
      <EditorPage />
    </Suspense>
  );
}

function Loading() {
  return (
    <div className="empty" style={{ minHeight: "100vh", justifyContent: "center" }}>
      <span className="spinner" />
    </div>
  );
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ErrorBoundary>
        <BrowserRouter>
          <Routes>
            <Route path="/login" element={<AuthPage mode="login" />} />
            <Route path="/register" element={<AuthPage mode="register" />} />
            <Route element={<RequireAuth />}>
              <Route element={<Layout />}>
                <Route index element={<Navigate to="/agents" replace />} />
                <Route path="/agents" element={<AgentsPage />} />
                <Route path="/schedules" element={<SchedulesPage />} />
                <Route path="/settings" element={<Navigate to="/settings/api-keys" replace />} />
                <Route path="/settings/api-keys" element={<ApiKeysPage />} />
                <Route path="/settings/credentials" element={<CredentialsPage />} />
                <Route path="/settings/credits" element={<CreditsPage />} />
                <Route path="/auth/integrations/oauth_callback" element={<OAuthCallbackPage />} />
                <Route path="*" element={<NotFound />} />
              </Route>
              <Route path="/agents/new" element={<LazyEditor />} />
              <Route path="/agents/:graphId" element={<LazyEditor />} />
              <Route path="/agents/:graphId/runs/:execId" element={<LazyEditor />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </ErrorBoundary>
      <Toasts />
    </QueryClientProvider>
  );
}
