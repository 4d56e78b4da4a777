import { expect, test, vi } from "vitest";
import { scrubbed } from "./site";
import { warn } from "./warn";

const props = {
  password: "Relay-Marker-Pw-31",
  sitePassword: "Site-Marker-Pw-72",
  oauth: { provider: "ExchangeOnline", settings: { ClientSecret: "Client-Marker-Secret-9" } },
};

test("scrubbed removes every secret the resource knows of, the OAuth client secret included", () => {
  const text =
    "https://login.example/authorize?client_secret=Client-Marker-Secret-9&x=Relay-Marker-Pw-31 Site-Marker-Pw-72";
  const out = scrubbed(props, text);
  for (const secret of ["Client-Marker-Secret-9", "Relay-Marker-Pw-31", "Site-Marker-Pw-72"])
    expect(out).not.toContain(secret);
  expect(out).toContain("https://login.example/authorize?client_secret=");
});

test("warnings are scrubbed before they reach stderr", () => {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((line: string) => {
    lines.push(line);
  });
  try {
    warn(props, "consent needed at https://x.example/?s=Client-Marker-Secret-9");
  } finally {
    spy.mockRestore();
  }
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^warning: consent needed at https:\/\/x\.example\/\?s=/);
  expect(lines[0]).not.toContain("Client-Marker-Secret-9");
});
