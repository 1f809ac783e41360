import { describe, expect, it } from "vitest";
import { EMPTY_FORM, draftOf, recallOAuth, rememberOAuth, typesOf } from "./drafts";

describe("credential drafts", () => {
  const form = {
    ...EMPTY_FORM,
    title: "t",
    apiKey: "k",
    username: "u",
    password: "p",
    host: "h",
    headers: { A: "1" },
  };

  it("send only the fields of their kind", () => {
    expect(draftOf("api_key", form)).toEqual({ type: "api_key", title: "t", api_key: "k" });
    expect(draftOf("user_password", form)).toEqual({
      type: "user_password",
      title: "t",
      username: "u",
      password: "p",
    });
    expect(draftOf("host_scoped", form)).toEqual({
      type: "host_scoped",
      title: "t",
      host: "h",
      headers: { A: "1" },
    });
  });

  it("offer the kinds a provider accepts, never OAuth2 (it has its own button)", () => {
    const provider = {
      name: "p",
      title: "P",
      credential_types: ["oauth2", "user_password"],
      oauth_configured: true,
    };
    expect(typesOf(provider)).toEqual(["user_password"]);
    expect(typesOf(undefined)).toEqual(["api_key"]);
  });

  it("remember an OAuth2 sign-in's provider across the redirect, once", () => {
    rememberOAuth("state-1", "github");
    expect(recallOAuth("state-1")).toBe("github");
    expect(recallOAuth("state-1")).toBeNull();
  });
});
