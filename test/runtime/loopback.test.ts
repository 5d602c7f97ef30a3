/** isLoopbackHost: which hosts count as this machine (pure; nothing is sent). */
import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "../../src/runtime/transport/loopback.js";

describe("isLoopbackHost", () => {
  it.each([
    "127.0.0.1",
    "127.1.2.3",
    "127.255.255.255",
    "::1",
    "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1",
    "localhost",
    "LocalHost",
  ])("%s is loopback", (host) => expect(isLoopbackHost(host)).toBe(true));

  it.each([
    "10.0.0.1",
    "128.0.0.1",
    "1.127.0.0",
    "0127.0.0.1",
    "127.0.0.1.5",
    "192.168.1.20",
    "::2",
    "fe80::1",
    "::ffff:10.0.0.1",
    "example.com",
    "localhost.example.com",
    "",
  ])("%s is not", (host) => expect(isLoopbackHost(host)).toBe(false));
});
