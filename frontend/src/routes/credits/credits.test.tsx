import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, within } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import { keys } from "../../api/queries";
import type { CreditTransaction, CreditTransactionPage, Credits } from "../../api/types";
import { CreditBalance } from "./CreditBalance";
import { CreditsPage, PAGE_SIZE } from "./CreditsPage";
import { formatCredits } from "./format";
import { TransactionsTable } from "./TransactionsTable";

const USAGE: CreditTransaction = {
  id: "t2",
  kind: "USAGE",
  amount: -2,
  running_balance: 3,
  created_at: "2030-01-07T08:00:00Z",
  reason: null,
  graph_id: "g1",
  graph_exec_id: "e1",
  node_exec_id: "n1",
  block_id: "b-text",
};
const GRANT: CreditTransaction = {
  ...USAGE,
  id: "t1",
  kind: "GRANT",
  amount: 5,
  running_balance: 5,
  reason: "Sign-up credits",
  graph_id: null,
  graph_exec_id: null,
  node_exec_id: null,
  block_id: null,
};
const ON: Credits = { enabled: true, balance: 1234, reserved: 4, available: 1230 };

/** Renders with the server's answers already in the cache (nothing is fetched for real). */
function wrap(node: ReactNode, seed: (client: QueryClient) => void = () => undefined) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  client.setQueryData(keys.blocks, [{ id: "b-text", name: "FillTextTemplateBlock" }]);
  seed(client);
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>{node}</MemoryRouter>
    </QueryClientProvider>,
  );
}

function page(transactions: CreditTransaction[], total: number): CreditTransactionPage {
  return { transactions, total };
}

afterEach(cleanup);

describe("the transactions table", () => {
  it("names the block a usage paid for and links to its run", () => {
    wrap(<TransactionsTable transactions={[USAGE, GRANT]} />);
    const [usage, grant] = within(screen.getByTestId("credit-transactions")).getAllByRole("row").slice(1);
    expect(usage?.textContent).toContain("Fill Text Template");
    expect(within(usage!).getByRole("link").getAttribute("href")).toBe("/agents/g1/runs/e1");
    expect(within(usage!).getByText("-2").className).toContain("credit-spent");
    expect(grant?.textContent).toContain("Sign-up credits");
    expect(within(grant!).getByText("+5").className).toContain("credit-added");
    expect(within(grant!).queryByRole("link")).toBeNull();
  });
});

describe("the credits page", () => {
  it("shows the balance, what is held and what is available, and pages through the ledger", () => {
    const rows = Array.from({ length: PAGE_SIZE }, (_, i) => ({ ...USAGE, id: `t${i}` }));
    wrap(<CreditsPage />, (client) => {
      client.setQueryData(keys.credits, ON);
      client.setQueryData(keys.creditTransactions(undefined, 0, PAGE_SIZE), page(rows, 45));
    });
    expect(screen.getByTestId("credits-balance").textContent).toContain("1,234");
    expect(screen.getByTestId("credits-reserved").textContent).toContain("4");
    expect(screen.getByTestId("credits-available").textContent).toContain("1,230");
    expect(screen.getByText("1–20 of 45")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Previous" }).hasAttribute("disabled")).toBe(true);
    expect(screen.getByRole("button", { name: "Next" }).hasAttribute("disabled")).toBe(false);
    expect(screen.queryByText("Credits are off on this server: runs cost nothing.")).toBeNull();
  });

  it("says when credits are off and when there is nothing to list", () => {
    wrap(<CreditsPage />, (client) => {
      client.setQueryData(keys.credits, { enabled: false, balance: 0, reserved: 0, available: 0 });
      client.setQueryData(keys.creditTransactions(undefined, 0, PAGE_SIZE), page([], 0));
    });
    expect(screen.getByText("Credits are off on this server: runs cost nothing.")).toBeTruthy();
    expect(screen.getByText("No transactions yet")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Next" })).toBeNull();
  });
});

describe("the balance in the sidebar", () => {
  it("shows while credits are on, linking to the page", () => {
    wrap(<CreditBalance />, (client) => client.setQueryData(keys.credits, ON));
    const link = screen.getByTestId("credit-balance");
    expect(link.textContent).toBe("1,234 credits");
    expect(link.getAttribute("href")).toBe("/settings/credits");
  });

  it("is absent while credits are off", () => {
    wrap(<CreditBalance />, (client) => client.setQueryData(keys.credits, { ...ON, enabled: false }));
    expect(screen.queryByTestId("credit-balance")).toBeNull();
  });
});

describe("formatCredits", () => {
  it("groups digits and signs what was added", () => {
    expect(formatCredits(1234567, "en")).toBe("1,234,567");
    expect(formatCredits(5, "en", true)).toBe("+5");
    expect(formatCredits(-5, "en", true)).toBe("-5");
    expect(formatCredits(0, "en", true)).toBe("0");
  });
});
