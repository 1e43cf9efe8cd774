package io.smtpprotocol.server;

import static org.awaitility.Awaitility.await;

import io.smtpprotocol.testing.Requirements;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy in TCP mode in front of our servers: one loopback frontend per route, each passing its
 * connections to one server with the route's options ({@code send-proxy}, {@code send-proxy-v2}).
 * Its configuration lives in a directory of the test's; it runs in the foreground ({@code -db}) and
 * is stopped by its PID.
 */
final class HaproxyProcess implements AutoCloseable {

  /** One frontend: connections to its port go to {@code serverPort} with {@code options}. */
  record Route(String name, int serverPort, String options) {}

  private final Process process;
  private final List<Integer> ports;
  private final Path log;

  private HaproxyProcess(Process process, List<Integer> ports, Path log) {
    this.process = process;
    this.ports = ports;
    this.log = log;
  }

  /**
   * Skips the test (fails it on CI) unless haproxy is installed: on the PATH (or -Dtool.haproxy),
   * else where Debian puts it.
   */
  static Path require() {
    Path sbin = Path.of("/usr/sbin/haproxy");
    if (!Requirements.hasTool("haproxy") && Files.isExecutable(sbin)) {
      return sbin;
    }
    return Requirements.tool("haproxy");
  }

  /** Writes the configuration into {@code dir}, starts HAProxy and waits until it listens. */
  static HaproxyProcess start(Path dir, List<Route> routes) throws Exception {
    Path haproxy = require();
    List<Integer> ports = new ArrayList<>();
    List<String> cfg =
        new ArrayList<>(
            List.of(
                "global",
                "  maxconn 200",
                "defaults",
                "  mode tcp",
                "  timeout connect 5s",
                "  timeout client 30s",
                "  timeout server 30s"));
    for (Route route : routes) {
      int port = freePort();
      ports.add(port);
      cfg.add("listen " + route.name());
      cfg.add("  bind 127.0.0.1:" + port);
      cfg.add("  server s1 127.0.0.1:" + route.serverPort() + " " + route.options());
    }
    Path file = Files.write(dir.resolve("haproxy.cfg"), cfg);
    Path log = dir.resolve("haproxy.log");
    Process process =
        new ProcessBuilder(haproxy.toString(), "-f", file.toString(), "-db")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    HaproxyProcess proxy = new HaproxyProcess(process, List.copyOf(ports), log);
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !process.isAlive() || ports.stream().allMatch(HaproxyProcess::listening));
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "haproxy exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      return proxy;
    } catch (RuntimeException e) {
      proxy.close();
      throw e;
    }
  }

  /** The frontend port of the route at {@code index}, in the order given to {@link #start}. */
  int port(int index) {
    return ports.get(index);
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  /** Whether a socket listens on this loopback port (read from the kernel, without connecting). */
  private static boolean listening(int port) {
    String local = String.format("0100007F:%04X", port); // 127.0.0.1, as the kernel lists it
    List<String> sockets;
    try {
      sockets = Files.readAllLines(Path.of("/proc/net/tcp"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sockets.stream()
        .map(line -> line.strip().split("\\s+"))
        .anyMatch(f -> f.length > 3 && f[1].equals(local) && f[3].equals("0A")); // 0A: LISTEN
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Stops HAProxy by its PID and waits for it. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
