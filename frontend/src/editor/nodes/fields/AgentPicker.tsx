/**
 * The `graph_id` of an Agent Executor node, picked from the user's agents. Picking one
 * also stores its version, name and input/output schemas, which become the node's pins.
 */
import { useTranslation } from "react-i18next";
import { api } from "../../../api/endpoints";
import { useGraphs } from "../../../api/queries";
import { toast } from "../../../ui/toasts";
import { useCanvas } from "../../context";

interface AgentPickerProps {
  id: string;
  nodeId: string;
  value: unknown;
  invalid?: boolean;
}

export function AgentPicker({ id, nodeId, value, invalid }: AgentPickerProps) {
  const { t } = useTranslation();
  const graphs = useGraphs();
  const self = useCanvas((s) => s.header.id);
  const setInputs = useCanvas((s) => s.setInputs);
  const options = (graphs.data ?? []).filter((g) => g.id !== self);

  const pick = async (graphId: string) => {
    if (!graphId) return setInputs(nodeId, { graph_id: undefined });
    try {
      const graph = await api.getGraph(graphId);
      setInputs(nodeId, {
        graph_id: graph.id,
        graph_version: graph.version,
        agent_name: graph.name,
        input_schema: graph.input_schema ?? {},
        output_schema: graph.output_schema ?? {},
      });
    } catch (error) {
      toast.error(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <select
      id={id}
      className="select nodrag"
      value={typeof value === "string" ? value : ""}
      aria-invalid={invalid}
      onChange={(e) => void pick(e.target.value)}
    >
      <option value="">{options.length ? t("fields.chooseAgent") : t("fields.noAgents")}</option>
      {options.map((g) => (
        <option key={g.id} value={g.id}>
          {g.name || t("editor.untitled")} · v{g.version}
        </option>
      ))}
    </select>
  );
}
