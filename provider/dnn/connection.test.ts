import { afterEach, beforeEach, expect, test } from "vitest";
import {
  knownSiteSecrets,
  resolveConnection,
  resolveSite,
  resolveSiteInputs,
  setStackConfig,
} from "./connection";

const ENV_KEYS = ["DNN_URL", "DNN_USERNAME", "DNN_PASSWORD", "DNN_API_TOKEN"] as const;
const saved: Record<string, string | undefined> = {};

function config(values: Record<string, string>) {
  setStackConfig({ get: (key) => values[key] });
}

beforeEach(() => {
  for (const k of ENV_KEYS) saved[k] = process.env[k];
  Object.assign(process.env, {
    DNN_URL: "https://env.example",
    DNN_USERNAME: "env-user",
    DNN_PASSWORD: "env-pass",
  });
  config({});
});
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  config({});
});

test("the environment is the last resort", () => {
  expect(resolveConnection(undefined, {})).toMatchObject({
    url: "https://env.example",
    username: "env-user",
    password: "env-pass",
  });
});

test("stack config wins over the environment", () => {
  config({
    "dnn:url": "https://config.example",
    "dnn:username": "cfg-user",
    "dnn:password": "cfg-pass",
  });
  expect(resolveConnection(undefined, {})).toMatchObject({
    url: "https://config.example",
    username: "cfg-user",
    password: "cfg-pass",
  });
});

test("explicit arguments win over both; explicit secrets come as a set", () => {
  config({
    "dnn:url": "https://config.example",
    "dnn:password": "cfg-pass",
    "dnn:apiToken": "cfg-token",
  });
  const connection = resolveConnection(
    { url: "https://args.example/shop", username: "arg-user" },
    { sitePassword: "arg-pass" },
  );
  expect(connection).toMatchObject({
    url: "https://args.example/shop",
    username: "arg-user",
    password: "arg-pass",
  });
  expect(connection.apiToken).toBeUndefined();
});

test("an empty value does not hide the next source", () => {
  expect(resolveSiteInputs({ url: "", username: "" })).toMatchObject({
    url: "https://env.example",
    username: "env-user",
  });
});

test("every configured secret is known for scrubbing", () => {
  config({ "dnn:password": "cfg-pass", "dnn:apiToken": "cfg-token" });
  expect(knownSiteSecrets()).toEqual(expect.arrayContaining(["cfg-pass", "cfg-token", "env-pass"]));
});

test("the connection says where each value came from", () => {
  config({ "dnn:username": "cfg-user", "dnn:password": "cfg-pass" });
  expect(resolveConnection(undefined, {}).sources).toEqual({
    url: "environment variable DNN_URL",
    username: "stack config dnn:username",
    password: "stack config dnn:password",
  });
  const explicit = resolveConnection(
    { url: "https://args.example", username: "arg-user" },
    { siteApiToken: "arg-token" },
  );
  expect(explicit.sources).toEqual({
    url: "argument site.url",
    username: "argument site.username",
    apiToken: "argument site.apiToken",
  });
  expect(explicit.password).toBeUndefined();
});

test("resolveSite gives the non-secret values and their sources", () => {
  config({ "dnn:url": "https://config.example" });
  expect(resolveSite({ username: "arg-user" })).toEqual({
    inputs: { url: "https://config.example", username: "arg-user" },
    sources: { url: "stack config dnn:url", username: "argument site.username" },
  });
});
