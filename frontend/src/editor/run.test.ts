import { describe, expect, it } from "vitest";
import type { GraphExecution, NodeExecution } from "../api/types";
import {
  applyChild,
  applyGraphEvent,
  applyNodeExecution,
  applyStream,
  mergeExecution,
  pendingRun,
  runFromExecution,
  runFromMeta,
} from "./run";

const meta = {
  id: "x1",
  graph_id: "g",
  graph_version: 2,
  user_id: "u",
  status: "RUNNING" as const,
  created_at: "2026-01-01T00:00:00Z",
  started_at: "2026-01-01T00:00:01Z",
  ended_at: null,
  inputs: { topic: "world" },
  error: null,
};

function nodeExec(patch: Partial<NodeExecution>): NodeExecution {
  return {
    node_exec_id: "ne1",
    node_id: "n1",
    block_id: "b",
    status: "QUEUED",
    input_data: {},
    output_data: {},
    add_time: "2026-01-01T00:00:01Z",
    queue_time: null,
    start_time: null,
    end_time: null,
    error: null,
    seq: 1,
    ...patch,
  };
}

describe("run state from events", () => {
  it("follows one node through its statuses", () => {
    let run = runFromMeta(meta);
    run = applyNodeExecution(run, nodeExec({ seq: 1 }));
    run = applyNodeExecution(run, nodeExec({ seq: 2, status: "RUNNING" }));
    run = applyNodeExecution(run, nodeExec({ seq: 3, status: "COMPLETED", output_data: { out: ["hi"] } }));
    expect(run.nodes.n1).toMatchObject({ status: "COMPLETED", count: 1 });
    expect(run.nodes.n1!.last.output_data).toEqual({ out: ["hi"] });
    expect(run.lastSeq).toBe(3);
  });

  it("ignores an event older than what it already shows (a replay overlapping live events)", () => {
    let run = runFromMeta(meta);
    run = applyNodeExecution(run, nodeExec({ seq: 5, status: "COMPLETED" }));
    const same = applyNodeExecution(run, nodeExec({ seq: 4, status: "RUNNING" }));
    expect(same).toBe(run);
    expect(applyNodeExecution(run, nodeExec({ seq: 5, status: "RUNNING" }))).toBe(run);
  });

  it("counts each execution of a node and shows the newest", () => {
    let run = runFromMeta(meta);
    run = applyNodeExecution(run, nodeExec({ seq: 1, status: "COMPLETED" }));
    run = applyNodeExecution(run, nodeExec({ node_exec_id: "ne2", seq: 2, status: "RUNNING" }));
    expect(run.nodes.n1).toMatchObject({ count: 2, status: "RUNNING" });
    const late = applyNodeExecution(run, nodeExec({ seq: 3, status: "COMPLETED", output_data: { a: [1] } }));
    expect(late.nodes.n1!.last.node_exec_id).toBe("ne2");
    expect(late.execs.ne1!.output_data).toEqual({ a: [1] });
  });

  it("changes only the entry of the node an event is about", () => {
    let run = runFromMeta(meta);
    run = applyNodeExecution(run, nodeExec({ node_id: "other", node_exec_id: "o1", seq: 1 }));
    const before = run.nodes.other;
    run = applyNodeExecution(run, nodeExec({ seq: 2 }));
    expect(run.nodes.other).toBe(before);
  });

  it("takes graph events for its own run and never goes back from a final status", () => {
    let run = runFromMeta(meta);
    const done = {
      ...meta,
      status: "COMPLETED" as const,
      outputs: { greeting: ["Hello"] },
      seq: 9,
      ended_at: "2026-01-01T00:00:02Z",
    };
    run = applyGraphEvent(run, done);
    expect(run).toMatchObject({ status: "COMPLETED", outputs: { greeting: ["Hello"] }, lastSeq: 9 });
    expect(applyGraphEvent(run, { ...done, status: "RUNNING", seq: 10 })).toBe(run);
    expect(applyGraphEvent(run, { ...done, id: "other" })).toBe(run);
  });

  it("appends streamed output to the running execution only", () => {
    let run = applyNodeExecution(runFromMeta(meta), nodeExec({ status: "RUNNING" }));
    run = applyStream(run, {
      graph_exec_id: "x1",
      node_exec_id: "ne1",
      node_id: "n1",
      pin: "out",
      value: "He",
    });
    run = applyStream(run, {
      graph_exec_id: "x1",
      node_exec_id: "ne1",
      node_id: "n1",
      pin: "out",
      value: "llo",
    });
    expect(run.nodes.n1!.last.output_data.out).toEqual(["He", "llo"]);
    expect(
      applyStream(run, { graph_exec_id: "x1", node_exec_id: "zz", node_id: "n1", pin: "out", value: 1 }),
    ).toBe(run);
  });
});

describe("stored executions", () => {
  const stored: GraphExecution = {
    ...meta,
    status: "COMPLETED",
    outputs: { greeting: ["Hello world"] },
    node_executions: [
      nodeExec({ node_exec_id: "b", node_id: "n2", seq: 4, status: "COMPLETED" }),
      nodeExec({ node_exec_id: "a", seq: 2, status: "COMPLETED" }),
    ],
  };

  it("replays a stored run in seq order", () => {
    const run = runFromExecution(stored);
    expect(Object.keys(run.nodes).sort()).toEqual(["n1", "n2"]);
    expect(run).toMatchObject({ status: "COMPLETED", lastSeq: 4, outputs: { greeting: ["Hello world"] } });
  });

  it("fills a pending view (known only by id) from the snapshot", () => {
    const pending = pendingRun("g", "x1");
    const merged = mergeExecution(pending, stored);
    expect(merged).toMatchObject({ graphVersion: 2, status: "COMPLETED", inputs: { topic: "world" } });
  });

  it("keeps live progress newer than a snapshot", () => {
    let live = applyNodeExecution(
      runFromMeta(meta),
      nodeExec({ node_exec_id: "a", seq: 7, status: "FAILED" }),
    );
    live = applyGraphEvent(live, { ...meta, status: "FAILED", outputs: {}, seq: 8 });
    const merged = mergeExecution(live, { ...stored, status: "RUNNING" });
    expect(merged.execs.a!.status).toBe("FAILED");
    expect(merged.status).toBe("FAILED");
  });
});

describe("sub-agent runs", () => {
  const child = {
    ...meta,
    id: "c1",
    graph_id: "sub",
    status: "RUNNING" as const,
    parent_exec_id: "x1",
    parent_node_exec_id: "ne1",
  };

  it("keeps a child under the node execution that started it", () => {
    const run = applyChild(runFromMeta(meta), child);
    expect(run.children).toEqual({ ne1: child });
    const done = applyChild(run, { ...child, status: "COMPLETED" });
    expect(done.children.ne1!.status).toBe("COMPLETED");
  });

  it("ignores another run's child and a finished child going back to live", () => {
    const run = runFromMeta(meta);
    expect(applyChild(run, { ...child, parent_exec_id: "other" })).toBe(run);
    expect(applyChild(run, { ...child, parent_node_exec_id: null })).toBe(run);
    const done = applyChild(run, { ...child, status: "FAILED" });
    expect(applyChild(done, child)).toBe(done);
  });

  it("reads children from a stored execution and merges them into a live view", () => {
    const execution: GraphExecution = { ...meta, outputs: {}, node_executions: [], children: [child] };
    expect(runFromExecution(execution).children.ne1).toEqual(child);
    const merged = mergeExecution(runFromMeta(meta), {
      ...execution,
      children: [{ ...child, status: "COMPLETED" }],
    });
    expect(merged.children.ne1!.status).toBe("COMPLETED");
  });
});
