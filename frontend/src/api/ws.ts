/**
 * The live-events socket: one connection per tab, shared by every open execution view.
 *
 * It reconnects with backoff when dropped and re-subscribes each execution with the
 * highest `seq` it has seen, so the server replays what happened while it was away.
 */
import { refreshSession } from "./client";
import { getTokens } from "./session";
import type { GraphExecutionEvent, NodeExecutionEvent, NodeExecutionStream, WSMessage } from "./types";

export type SocketState = "idle" | "connecting" | "open" | "reconnecting";

export interface ExecutionHandlers {
  onNode: (event: NodeExecutionEvent) => void;
  onGraph: (event: GraphExecutionEvent) => void;
  onStream?: (event: NodeExecutionStream) => void;
  /** A graph event of a sub-agent run that this execution's Agent Executor node started. */
  onChild?: (event: GraphExecutionEvent) => void;
  /** The highest sequence number this view has applied; sent on (re)subscribe. */
  lastSeq: () => number;
}

type SocketFactory = (url: string) => WebSocket;
/** Called before reconnecting after the server refused the token (close codes 4001, 4003). */
type Reauthenticate = () => Promise<unknown>;

const AUTH_CLOSE_CODES = new Set([4001, 4003]);

const HEARTBEAT_MS = 20_000;
const MAX_BACKOFF_MS = 10_000;

const NODE_TIMES = ["add_time", "queue_time", "start_time", "end_time"] as const;
const GRAPH_TIMES = ["created_at", "started_at", "ended_at"] as const;

/** Events carry epoch seconds (as the engine emits them); the REST API and the UI use ISO. */
export function withIsoTimes<T extends object>(event: T, fields: readonly string[]): T {
  const copy = { ...event } as Record<string, unknown>;
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === "number") copy[field] = new Date(value * 1000).toISOString();
  }
  return copy as T;
}

export function defaultSocketUrl(): string | null {
  const tokens = getTokens();
  if (!tokens) return null;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws?token=${encodeURIComponent(tokens.access_token)}`;
}

export class ExecutionSocket {
  private socket: WebSocket | null = null;
  private readonly subs = new Map<string, Set<ExecutionHandlers>>();
  private readonly stateListeners = new Set<(state: SocketState) => void>();
  private attempts = 0;
  private holders = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  state: SocketState = "idle";

  private lastHeard = 0;

  constructor(
    private readonly url: () => string | null = defaultSocketUrl,
    private readonly create: SocketFactory = (u) => new WebSocket(u),
    private readonly reauthenticate: Reauthenticate = refreshSession,
  ) {}

  subscribe(execId: string, handlers: ExecutionHandlers): () => void {
    let set = this.subs.get(execId);
    if (!set) {
      set = new Set();
      this.subs.set(execId, set);
    }
    set.add(handlers);
    if (this.socket?.readyState === WebSocket.OPEN) this.sendSubscribe(execId, handlers);
    else this.ensureConnected();
    return () => this.unsubscribe(execId, handlers);
  }

  /**
   * Keep the connection open while a view that may start a run is on screen, so a new
   * run's subscription is one message away rather than a fresh handshake.
   */
  hold(): () => void {
    this.holders += 1;
    this.ensureConnected();
    return () => {
      this.holders -= 1;
      if (this.holders === 0 && this.subs.size === 0) this.close();
    };
  }

  onState(listener: (state: SocketState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    this.subs.clear();
    this.holders = 0;
    this.teardown();
    this.setState("idle");
  }

  private unsubscribe(execId: string, handlers: ExecutionHandlers): void {
    const set = this.subs.get(execId);
    set?.delete(handlers);
    if (set && set.size === 0) {
      this.subs.delete(execId);
      this.send({ method: "unsubscribe", data: { graph_exec_id: execId } });
    }
    if (this.subs.size === 0 && this.holders === 0) this.close();
  }

  private ensureConnected(): void {
    if (this.socket || this.retry) return;
    const url = this.url();
    if (!url) return;
    this.setState(this.attempts ? "reconnecting" : "connecting");
    const socket = this.create(url);
    this.socket = socket;
    socket.onopen = () => this.handleOpen();
    socket.onmessage = (event: MessageEvent<string>) => this.handleMessage(event.data);
    socket.onclose = (event: CloseEvent) => this.handleClose(socket, event.code);
    socket.onerror = () => socket.close();
  }

  private handleOpen(): void {
    this.attempts = 0;
    this.setState("open");
    for (const [execId, set] of this.subs) {
      for (const handlers of set) this.sendSubscribe(execId, handlers);
    }
    this.lastHeard = Date.now();
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  /** Ping, and give up on a connection that has not answered two pings (a silent drop). */
  private beat(): void {
    if (Date.now() - this.lastHeard > 2 * HEARTBEAT_MS + 1000) {
      const socket = this.socket;
      if (socket) this.handleClose(socket, 1006);
      return;
    }
    this.send({ method: "heartbeat", data: "ping" });
  }

  private handleMessage(raw: string): void {
    this.lastHeard = Date.now();
    let message: WSMessage;
    try {
      message = JSON.parse(raw) as WSMessage;
    } catch {
      return;
    }
    if (message.method === "node_execution_event") {
      const event = withIsoTimes(message.data as NodeExecutionEvent, NODE_TIMES);
      this.subs.get(event.graph_exec_id)?.forEach((h) => h.onNode(event));
    } else if (message.method === "graph_execution_event") {
      const event = withIsoTimes(message.data as GraphExecutionEvent, GRAPH_TIMES);
      this.subs.get(event.id)?.forEach((h) => h.onGraph(event));
      if (event.parent_exec_id) this.subs.get(event.parent_exec_id)?.forEach((h) => h.onChild?.(event));
    } else if (message.method === "node_execution_stream") {
      const event = message.data as NodeExecutionStream;
      this.subs.get(event.graph_exec_id)?.forEach((h) => h.onStream?.(event));
    }
  }

  private handleClose(socket: WebSocket, code: number): void {
    if (socket !== this.socket) return;
    this.teardown();
    if (this.subs.size === 0 && this.holders === 0) {
      this.setState("idle");
      return;
    }
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts);
    this.attempts += 1;
    this.setState("reconnecting");
    const refreshed = AUTH_CLOSE_CODES.has(code) ? this.reauthenticate() : Promise.resolve();
    this.retry = setTimeout(() => {
      void refreshed.finally(() => {
        this.retry = undefined;
        this.ensureConnected();
      });
    }, delay);
  }

  private teardown(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    this.retry = undefined;
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) {
      socket.onclose = null;
      socket.close();
    }
  }

  /** Always with `last_seq` (0 at first), so the server replays what the view missed. */
  private sendSubscribe(execId: string, handlers: ExecutionHandlers): void {
    this.send({
      method: "subscribe_graph_execution",
      data: { graph_exec_id: execId, last_seq: handlers.lastSeq() },
    });
  }

  private send(message: WSMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private setState(state: SocketState): void {
    this.state = state;
    this.stateListeners.forEach((l) => l(state));
  }
}

/** The tab's one socket. */
export const liveSocket = new ExecutionSocket();
