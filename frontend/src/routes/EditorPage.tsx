/** /agents/new, /agents/:graphId and /agents/:graphId/runs/:execId: one store per open agent. */
import "@xyflow/react/dist/style.css";
import "../editor/editor.css";
import { ReactFlowProvider } from "@xyflow/react";
import { useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { CanvasContext } from "../editor/context";
import { Editor } from "../editor/Editor";
import { takeHandoff } from "../editor/handoff";
import { createCanvasStore } from "../editor/store";

function EditorForGraph({ graphId }: { graphId: string | undefined }) {
  const [store] = useState(() => takeHandoff(graphId) ?? createCanvasStore());
  const { execId } = useParams();
  const [params] = useSearchParams();
  const raw = params.get("version");
  const version = raw && /^\d+$/.test(raw) ? Number(raw) : undefined;
  return (
    <CanvasContext.Provider value={store}>
      <ReactFlowProvider>
        <Editor graphId={graphId} version={version} execId={execId} />
      </ReactFlowProvider>
    </CanvasContext.Provider>
  );
}

export function EditorPage() {
  const { graphId } = useParams();
  return <EditorForGraph key={graphId ?? "new"} graphId={graphId} />;
}
