/** The user's agents: name, last run and its status; create, import, export, delete. */
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api } from "../api/endpoints";
import { keys, useExecutions, useGraphs } from "../api/queries";
import type { GraphMeta } from "../api/types";
import { relativeTime } from "../editor/lib/format";
import { downloadJson, readJsonFile } from "../lib/download";
import { lastRuns } from "../lib/runs";
import { Dialog } from "../ui/Dialog";
import { Icon } from "../ui/Icon";
import { StatusBadge } from "../ui/StatusBadge";
import { toast } from "../ui/toasts";
import { PageHead } from "../ui/PageHead";

function useImport() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return async (file: File) => {
    try {
      const result = await api.importGraph(await readJsonFile(file));
      void queryClient.invalidateQueries({ queryKey: keys.graphs });
      if (result.missing_blocks.length)
        toast.error(t("agents.importMissing", { count: result.missing_blocks.length }));
      else toast.success(t("agents.imported", { name: result.graph.name }));
      void navigate(`/agents/${result.graph.id}`);
    } catch (error) {
      toast.error(
        t("agents.importFailed", { message: error instanceof Error ? error.message : String(error) }),
      );
    }
  };
}

export function AgentsPage() {
  const { t, i18n } = useTranslation();
  const graphs = useGraphs();
  const executions = useExecutions();
  const queryClient = useQueryClient();
  const fileRef = useRef<HTMLInputElement>(null);
  const importFile = useImport();
  const [deleting, setDeleting] = useState<GraphMeta | null>(null);
  const last = useMemo(() => lastRuns(executions.data ?? []), [executions.data]);
  const [query, setQuery] = useState("");
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const list = [...(graphs.data ?? [])]
    .filter((g) => words.every((w) => `${g.name} ${g.description}`.toLowerCase().includes(w)))
    .sort((a, b) => (b.updated_at ?? "").localeCompare(a.updated_at ?? ""));

  const exportGraph = async (graph: GraphMeta) => {
    try {
      downloadJson(`${graph.name || "agent"}.json`, await api.exportGraph(graph.id));
    } catch (error) {
      toast.error(error instanceof Error ? error.message : String(error));
    }
  };

  const confirmDelete = async () => {
    if (!deleting) return;
    await api.deleteGraph(deleting.id).catch((e: unknown) => toast.error(String(e)));
    setDeleting(null);
    void queryClient.invalidateQueries({ queryKey: keys.graphs });
  };

  return (
    <div className="page-inner">
      <PageHead title={t("agents.title")} subtitle={t("agents.subtitle")}>
        {(graphs.data?.length ?? 0) > 0 && (
          <input
            className="input agents-search"
            type="search"
            value={query}
            placeholder={t("agents.search")}
            aria-label={t("agents.search")}
            onChange={(e) => setQuery(e.target.value)}
          />
        )}
        <input
          ref={fileRef}
          type="file"
          accept="application/json,.json"
          hidden
          data-testid="import-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) void importFile(file);
          }}
        />
        <button className="btn" onClick={() => fileRef.current?.click()} data-testid="import">
          <Icon name="upload" /> {t("agents.import")}
        </button>
        <Link className="btn btn-primary" to="/agents/new" data-testid="new-agent">
          <Icon name="plus" /> {t("agents.new")}
        </Link>
      </PageHead>
      <div className="card">
        {graphs.isLoading ? (
          <div className="empty">
            <span className="spinner" />
          </div>
        ) : list.length === 0 && words.length > 0 ? (
          <p className="empty">{t("agents.noMatch", { query })}</p>
        ) : list.length === 0 ? (
          <div className="empty">
            <Icon name="agents" size={28} />
            <h3>{t("agents.emptyTitle")}</h3>
            <p>{t("agents.emptyBody")}</p>
            <Link className="btn btn-primary" to="/agents/new">
              <Icon name="plus" /> {t("agents.new")}
            </Link>
          </div>
        ) : (
          <table className="table" data-testid="agents-table">
            <thead>
              <tr>
                <th>{t("agents.name")}</th>
                <th>{t("agents.lastRun")}</th>
                <th>{t("agents.status")}</th>
                <th>{t("agents.updated")}</th>
                <th>
                  <span className="sr-only">{t("agents.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((graph) => {
                const run = last.get(graph.id);
                return (
                  <tr key={graph.id} data-testid="agent-row">
                    <td>
                      <Link to={`/agents/${graph.id}`} className="agent-name">
                        {graph.name || t("editor.untitled")}
                      </Link>
                      <div className="hint truncate" style={{ maxWidth: 420 }}>
                        {graph.description || `v${graph.version}`}
                      </div>
                    </td>
                    <td>
                      {run ? (
                        <Link to={`/agents/${graph.id}/runs/${run.id}`}>
                          {relativeTime(run.created_at, i18n.language)}
                        </Link>
                      ) : (
                        <span className="muted">{t("agents.never")}</span>
                      )}
                    </td>
                    <td>{run ? <StatusBadge status={run.status} /> : <span className="muted">—</span>}</td>
                    <td className="muted">{relativeTime(graph.updated_at, i18n.language)}</td>
                    <td style={{ textAlign: "right", whiteSpace: "nowrap" }}>
                      <button
                        className="btn btn-ghost btn-sm btn-icon"
                        onClick={() => void exportGraph(graph)}
                        aria-label={t("agents.exportNamed", { name: graph.name })}
                        title={t("agents.export")}
                      >
                        <Icon name="download" size={14} />
                      </button>
                      <button
                        className="btn btn-ghost btn-sm btn-icon btn-danger"
                        onClick={() => setDeleting(graph)}
                        aria-label={t("agents.deleteNamed", { name: graph.name })}
                        title={t("agents.delete")}
                      >
                        <Icon name="trash" size={14} />
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      <Dialog
        open={deleting !== null}
        title={t("agents.deleteTitle", { name: deleting?.name ?? "" })}
        description={t("agents.deleteBody")}
        onClose={() => setDeleting(null)}
        footer={
          <>
            <button className="btn" onClick={() => setDeleting(null)}>
              {t("common.cancel")}
            </button>
            <button className="btn btn-danger-solid" onClick={() => void confirmDelete()}>
              {t("agents.delete")}
            </button>
          </>
        }
      >
        {null}
      </Dialog>
    </div>
  );
}
