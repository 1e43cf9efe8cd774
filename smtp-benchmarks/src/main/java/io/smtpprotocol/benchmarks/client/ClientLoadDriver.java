package io.smtpprotocol.benchmarks.client;

import io.smtpprotocol.client.MailEnvelope;
import io.smtpprotocol.client.MessageContent;
import io.smtpprotocol.client.SmtpClient;
import io.smtpprotocol.client.SmtpConnection;
import io.smtpprotocol.client.TlsPolicy;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends N messages of a given size over C connections through {@link SmtpClient}, each connection
 * sending its next message as soon as the last one is answered (MAIL, RCPT and DATA pipelined when
 * the server offers PIPELINING), and prints messages per second, payload MiB per second and the
 * client's CPU time per message (this JVM's, over the measured phase only).
 *
 * <pre>
 * java -cp smtp-sink.jar io.smtpprotocol.benchmarks.client.ClientLoadDriver \
 *      --port 2600 --connections 20 --messages 20000 --size 1024
 * </pre>
 *
 * <p>Before measuring it warms up in passes, each over fresh connections (as the measured run opens
 * its own) and each as many messages as it measures (at least 20,000, or 200 MiB of payload; {@code
 * --warmup N} changes that): passes go on until one of them leaves the JIT compiler idle for 98% of
 * its time, at most {@code --warmup-passes} (5). Measuring while C2 still compiles the per-message
 * path measures the compiler: with 100 KiB messages one pass is 10,000 messages, which left C2 busy
 * for a second or more of the measured phase. The compilation time within the measured phase is
 * printed too, and with {@code --peer-pid PID} the CPU share of that process (the sink) over the
 * measured phase: near 100% of a core, the sink is the limit.
 */
public final class ClientLoadDriver {

  private ClientLoadDriver() {}

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 2600;
    int connections = 20;
    int messages = 20_000;
    int size = 1024;
    int ioThreads = 1;
    int warmup = -1;
    int warmupPasses = 5;
    long peerPid = -1;
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--host" -> host = value;
        case "--port" -> port = Integer.parseInt(value);
        case "--connections" -> connections = Integer.parseInt(value);
        case "--messages" -> messages = Integer.parseInt(value);
        case "--size" -> size = Integer.parseInt(value);
        case "--io-threads" -> ioThreads = Integer.parseInt(value);
        case "--warmup" -> warmup = Integer.parseInt(value);
        case "--warmup-passes" -> warmupPasses = Integer.parseInt(value);
        case "--peer-pid" -> peerPid = Long.parseLong(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (warmup < 0) {
      // as many messages as measured, and at least 20,000 or 200 MiB: the JIT needs them
      warmup = Math.max(messages, Math.min(20_000, 200 * 1024 * 1024 / Math.max(1, size)));
    }
    MessageContent content = MessageContent.of(message(size));
    MailEnvelope envelope = MailEnvelope.of("bench@example.com", "sink@example.com");
    try (SmtpClient client =
        SmtpClient.builder()
            .ioThreads(ioThreads)
            .localHost("bench.example.com")
            .tlsPolicy(TlsPolicy.NONE)
            .build()) {
      CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
      for (int pass = 1; pass <= warmupPasses && warmup > 0; pass++) {
        long jit0 = jit.getTotalCompilationTime();
        long start = System.nanoTime();
        run(client, host, port, connections, warmup, envelope, content);
        long millis = (System.nanoTime() - start) / 1_000_000;
        long compiling = jit.getTotalCompilationTime() - jit0;
        System.err.printf(
            "warm-up pass %d: %d msgs in %d ms, JIT compiling %d ms%n",
            pass, warmup, millis, compiling);
        if (compiling * 50 < millis) {
          break;
        }
      }
      var os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long jit0 = jit.getTotalCompilationTime();
      long cpu0 = os.getProcessCpuTime();
      long[] ticks0 = ticks("self");
      long[] peer0 = peerPid > 0 ? ticks(Long.toString(peerPid)) : null;
      long t0 = System.nanoTime();
      run(client, host, port, connections, messages, envelope, content);
      long t1 = System.nanoTime();
      long cpu1 = os.getProcessCpuTime();
      long[] ticks1 = ticks("self");
      long[] peer1 = peerPid > 0 ? ticks(Long.toString(peerPid)) : null;
      long jit1 = jit.getTotalCompilationTime();
      double seconds = (t1 - t0) / 1e9;
      System.out.printf(
          "ours %d connections: %d msgs of %d B in %.2f s = %.0f msg/s, %.1f MiB/s, client CPU %.0f us/msg"
              + " (user %.0f, system %.0f), JIT compiling %d ms%n",
          connections,
          messages,
          size,
          seconds,
          messages / seconds,
          (double) messages * size / seconds / (1024 * 1024),
          (cpu1 - cpu0) / 1e3 / messages,
          (ticks1[0] - ticks0[0]) * 1e4 / messages,
          (ticks1[1] - ticks0[1]) * 1e4 / messages,
          jit1 - jit0);
      if (peer0 != null && peer1 != null) {
        // the server's CPU over the same measured phase: near 100% means it is the limit
        System.out.printf(
            "peer %d CPU during the measured phase: %.0f%% of a core%n",
            peerPid, (peer1[0] + peer1[1] - peer0[0] - peer0[1]) / seconds);
      }
    }
  }

  /**
   * User and system CPU time of a process ("self" or a PID) in clock ticks (1/100 s), from /proc.
   */
  private static long[] ticks(String pid) throws java.io.IOException {
    java.nio.file.Path stat = java.nio.file.Path.of("/proc", pid, "stat");
    if (!java.nio.file.Files.exists(stat)) {
      return new long[2];
    }
    String text = java.nio.file.Files.readString(stat);
    String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
  }

  /** Opens the connections, sends {@code total} messages over them, says QUIT. */
  private static void run(
      SmtpClient client,
      String host,
      int port,
      int connections,
      int total,
      MailEnvelope envelope,
      MessageContent content)
      throws Exception {
    AtomicInteger left = new AtomicInteger(total);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      CompletableFuture<Void> finished = new CompletableFuture<>();
      done.add(finished);
      client
          .connect(host, port)
          .thenCompose(c -> c.prepare().thenApply(x -> c))
          .whenComplete(
              (c, e) -> {
                if (e != null) {
                  finished.completeExceptionally(e);
                } else {
                  next(c, left, envelope, content, finished);
                }
              });
    }
    CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.MINUTES);
  }

  private static void next(
      SmtpConnection c,
      AtomicInteger left,
      MailEnvelope envelope,
      MessageContent content,
      CompletableFuture<Void> finished) {
    if (left.getAndDecrement() <= 0) {
      c.quit().whenComplete((r, e) -> finished.complete(null));
      return;
    }
    c.send(envelope, content)
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                finished.completeExceptionally(e);
              } else {
                next(c, left, envelope, content, finished);
              }
            });
  }

  /** Headers and a body of {@code size} octets in lines of 78 (76 + CRLF), as the Angus driver. */
  static byte[] message(int size) {
    byte[] headers =
        "From: bench@example.com\r\nTo: sink@example.com\r\nSubject: bench\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) 'x');
    for (int i = 76; i < size; i += 78) {
      body[i - 1] = '\r';
      body[i] = '\n';
    }
    byte[] all = Arrays.copyOf(headers, headers.length + size);
    System.arraycopy(body, 0, all, headers.length, size);
    return all;
  }
}
