import { describe, expect, it } from "vitest";
import { displayName } from "./blockName";

describe("block display names", () => {
  it.each([
    ["FillTextTemplateBlock", "Fill Text Template"],
    ["AIConversationBlock", "AI Conversation"],
    ["AITextGeneratorBlock", "AI Text Generator"],
    ["AIStructuredResponseGeneratorBlock", "AI Structured Response Generator"],
    ["AIEmbeddingsBlock", "AI Embeddings"],
    ["MCPToolBlock", "MCP Tool"],
    ["ReadRSSFeedBlock", "Read RSS Feed"],
    ["XMLParserBlock", "XML Parser"],
    ["ExtractURLsBlock", "Extract URLs"],
    ["SendEmailViaSMTPBlock", "Send Email Via SMTP"],
    ["ConvertJSONToCSVBlock", "Convert JSON To CSV"],
    ["Base64EncodeBlock", "Base64 Encode"],
    ["AgentInputBlock", "Agent Input"],
    ["HTTPRequestBlock", "HTTP Request"],
  ])("%s reads %s", (name, expected) => {
    expect(displayName({ name })).toBe(expected);
  });
});
