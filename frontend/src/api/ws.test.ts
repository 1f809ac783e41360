import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ExecutionSocket, withIsoTimes } from "./ws";

/** A socket whose other end the test plays: it records what was sent and can push frames. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState: number = WebSocket.CONNECTING;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = WebSocket.CLOSED;
  }
  open() {
    this.readyState = WebSocket.OPEN;
    this.onopen?.();
  }
  push(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006) {
    this.readyState = WebSocket.CLOSED;
    this.onclose?.({ code });
  }
}

describe("ExecutionSocket", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  let refreshes = 0;
  const make = () =>
    new ExecutionSocket(
      () => "ws://test/ws?token=t",
      (u) => new FakeSocket(u) as unknown as WebSocket,
      () => {
        refreshes += 1;
        return Promise.resolve();
      },
    );

  it("subscribes once open and routes events of that run to its handlers", () => {
    const socket = make();
    const onNode = vi.fn();
    const onGraph = vi.fn();
    socket.subscribe("x1", { onNode, onGraph, lastSeq: () => 0 });
    const fake = FakeSocket.all[0]!;
    fake.open();
    expect(fake.sent).toEqual([
      { method: "subscribe_graph_execution", data: { graph_exec_id: "x1", last_seq: 0 } },
    ]);
    fake.push({
      method: "node_execution_event",
      data: { graph_exec_id: "x1", node_id: "n", start_time: 1767225600 },
    });
    fake.push({ method: "node_execution_event", data: { graph_exec_id: "other", node_id: "n" } });
    fake.push({
      method: "graph_execution_event",
      data: { id: "x1", status: "COMPLETED", created_at: 1767225600.5 },
    });
    expect(onNode).toHaveBeenCalledTimes(1);
    expect(onNode.mock.calls[0]![0]).toMatchObject({ start_time: "2026-01-01T00:00:00.000Z" });
    expect(onGraph.mock.calls[0]![0]).toMatchObject({ created_at: "2026-01-01T00:00:00.500Z" });
  });

  it("hands a sub-agent run's graph events to the parent run's view, and to the child's own", () => {
    const socket = make();
    const parent = { onNode: vi.fn(), onGraph: vi.fn(), onChild: vi.fn(), lastSeq: () => 0 };
    const child = { onNode: vi.fn(), onGraph: vi.fn(), lastSeq: () => 0 };
    socket.subscribe("p1", parent);
    const fake = FakeSocket.all[0]!;
    fake.open();
    const event = { id: "c1", parent_exec_id: "p1", parent_node_exec_id: "ne", status: "RUNNING" };
    fake.push({ method: "graph_execution_event", data: event });
    expect(parent.onChild).toHaveBeenCalledTimes(1);
    expect(parent.onGraph).not.toHaveBeenCalled();
    socket.subscribe("c1", child);
    fake.push({ method: "graph_execution_event", data: { ...event, status: "COMPLETED" } });
    expect(child.onGraph.mock.calls[0]![0]).toMatchObject({ id: "c1", status: "COMPLETED" });
    expect(parent.onChild.mock.calls[1]![0]).toMatchObject({ status: "COMPLETED" });
  });

  it("reconnects after a drop and catches up from the last seq it applied", async () => {
    const socket = make();
    let seq = 0;
    socket.subscribe("x1", { onNode: () => (seq = 7), onGraph: () => undefined, lastSeq: () => seq });
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.push({ method: "node_execution_event", data: { graph_exec_id: "x1" } });
    FakeSocket.all[0]!.drop();
    expect(socket.state).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(600);
    const second = FakeSocket.all[1]!;
    second.open();
    expect(second.sent).toEqual([
      { method: "subscribe_graph_execution", data: { graph_exec_id: "x1", last_seq: 7 } },
    ]);
    expect(socket.state).toBe("open");
  });

  it("backs off longer after each failed attempt", async () => {
    const socket = make();
    socket.subscribe("x1", { onNode: () => undefined, onGraph: () => undefined, lastSeq: () => 0 });
    FakeSocket.all[0]!.drop();
    await vi.advanceTimersByTimeAsync(500);
    FakeSocket.all[1]!.drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(3);
  });

  it("unsubscribes and closes when the last view leaves", () => {
    const socket = make();
    const stop = socket.subscribe("x1", {
      onNode: () => undefined,
      onGraph: () => undefined,
      lastSeq: () => 0,
    });
    const fake = FakeSocket.all[0]!;
    fake.open();
    stop();
    expect(fake.sent.at(-1)).toEqual({ method: "unsubscribe", data: { graph_exec_id: "x1" } });
    expect(fake.readyState).toBe(WebSocket.CLOSED);
    expect(socket.state).toBe("idle");
  });

  it("stays open while held, so a new run subscribes without a handshake", () => {
    const socket = make();
    const release = socket.hold();
    const fake = FakeSocket.all[0]!;
    fake.open();
    const stop = socket.subscribe("x1", {
      onNode: () => undefined,
      onGraph: () => undefined,
      lastSeq: () => 0,
    });
    expect(FakeSocket.all).toHaveLength(1);
    expect(fake.sent).toHaveLength(1);
    stop();
    expect(fake.readyState).toBe(WebSocket.OPEN);
    release();
    expect(fake.readyState).toBe(WebSocket.CLOSED);
  });

  it("refreshes the session before reconnecting when the token was refused", async () => {
    const socket = make();
    refreshes = 0;
    socket.subscribe("x1", { onNode: () => undefined, onGraph: () => undefined, lastSeq: () => 0 });
    FakeSocket.all[0]!.drop(1006);
    expect(refreshes).toBe(0);
    await vi.advanceTimersByTimeAsync(600);
    FakeSocket.all[1]!.drop(4003);
    expect(refreshes).toBe(1);
    await vi.advanceTimersByTimeAsync(1100);
    expect(FakeSocket.all).toHaveLength(3);
  });

  it("gives up on a connection that stopped answering and opens a new one", async () => {
    const socket = make();
    socket.subscribe("x1", { onNode: () => undefined, onGraph: () => undefined, lastSeq: () => 0 });
    FakeSocket.all[0]!.open();
    await vi.advanceTimersByTimeAsync(40_000);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(socket.state).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("sends heartbeats while open", () => {
    const socket = make();
    socket.subscribe("x1", { onNode: () => undefined, onGraph: () => undefined, lastSeq: () => 0 });
    FakeSocket.all[0]!.open();
    vi.advanceTimersByTime(20_000);
    expect(FakeSocket.all[0]!.sent.at(-1)).toEqual({ method: "heartbeat", data: "ping" });
  });
});

describe("withIsoTimes", () => {
  it("converts epoch seconds and leaves ISO strings and nulls alone", () => {
    expect(withIsoTimes({ a: 0, b: "2026-01-01T00:00:00Z", c: null }, ["a", "b", "c"])).toEqual({
      a: "1970-01-01T00:00:00.000Z",
      b: "2026-01-01T00:00:00Z",
      c: null,
    });
  });
});
